# Fully static executables, for WATTLINE_STATIC_AGENT (the agent on a Pi Zero:
# one file that runs whatever the distribution and its float ABI; see
# cross/README.md).
#
# Include this file from the top-level CMakeLists.txt BEFORE the subdirectories
# that call pkg_check_modules(), then call wattline_link_static(<target>) for each
# executable that must be static.
#
# How it works: pkg_check_modules(... IMPORTED_TARGET ...) gives imported targets
# that name each module's own library (from `pkg-config --libs`), and also
# records the module's full static closure (`pkg-config --static --libs`, the
# Libs.private and Requires.private of every module it needs) in the cache
# variables <PREFIX>_STATIC_LDFLAGS. With WATTLINE_STATIC_AGENT ON, libraries are
# looked up as archives only, so the imported targets name libX.a;
# wattline_link_static() then links the executable with -static and appends the
# static closure of every pkg-config module the executable reaches, directly or
# through our own libraries. Each closure lists a library before what it needs,
# so the archives resolve in one pass.
#
# Nothing else is needed for glibc 2.34 and later: libpthread, libdl and librt
# are part of libc.a, so the old "-Wl,--whole-archive -lpthread" work-around for
# static std::thread is obsolete. Host-name lookups in a static glibc binary are
# the one run-time difference: see agent/net/host_lookup.h.

if(WATTLINE_STATIC_AGENT)
  # Archives only, for every find_library() from here on, including the ones
  # pkg_check_modules() makes for its imported targets. A shared library on the
  # link line of a -static executable is an error, not a fallback.
  set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
endif()

# Makes `target` (an executable) a fully static one. May be called anywhere after
# the target exists: the work is deferred to the end of the top-level
# CMakeLists.txt, when every target_link_libraries() of the project has been
# seen.
function(wattline_link_static target)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "wattline_link_static: no target named ${target}")
  endif()
  # A deferred call expands its arguments when it runs, after this function's
  # variables are gone: put the target's name in literally.
  cmake_language(EVAL CODE
    "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]] CALL _wattline_link_static_now [[${target}]])")
endfunction()

# The pkg-config prefixes (PkgConfig::<PREFIX>) that `target` links, directly or
# through other targets, in the order they are first reached.
function(_wattline_pkg_config_prefixes target out_var)
  set(queue "${target}")
  set(seen "")
  set(prefixes "")
  while(queue)
    list(POP_FRONT queue item)
    if(item IN_LIST seen)
      continue()
    endif()
    list(APPEND seen "${item}")
    if(item MATCHES "^PkgConfig::(.+)$")
      # Matched by name: an imported target of another directory is not
      # visible from here, but its cache variables are.
      list(APPEND prefixes "${CMAKE_MATCH_1}")
      continue()
    endif()
    if(NOT TARGET "${item}")
      continue()  # a plain -lname, a path or a flag
    endif()
    set(links "")
    get_target_property(type "${item}" TYPE)
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(direct "${item}" LINK_LIBRARIES)
      if(direct)
        list(APPEND links ${direct})
      endif()
    endif()
    get_target_property(interface "${item}" INTERFACE_LINK_LIBRARIES)
    if(interface)
      list(APPEND links ${interface})
    endif()
    foreach(link IN LISTS links)
      # A static library lists its private dependencies as $<LINK_ONLY:dep>.
      if(link MATCHES "^\\$<LINK_ONLY:(.+)>$")
        set(link "${CMAKE_MATCH_1}")
      endif()
      list(APPEND queue "${link}")
    endforeach()
  endwhile()
  set(${out_var} "${prefixes}" PARENT_SCOPE)
endfunction()

function(_wattline_link_static_now target)
  _wattline_pkg_config_prefixes("${target}" prefixes)
  set(closure "")
  foreach(prefix IN LISTS prefixes)
    if(NOT DEFINED ${prefix}_STATIC_LDFLAGS)
      message(FATAL_ERROR "wattline_link_static(${target}): PkgConfig::${prefix} has no "
                          "recorded static flags (${prefix}_STATIC_LDFLAGS)")
    endif()
    list(APPEND closure ${${prefix}_STATIC_LDFLAGS})
  endforeach()
  # Flags (-L, -l, -pthread) go to the end of the link line in this order,
  # after the archives of our own libraries and the imported targets.
  target_link_libraries(${target} PRIVATE ${closure})
  target_link_options(${target} PRIVATE -static)
  message(STATUS "${target}: fully static, with the static closure of: ${prefixes}")
endfunction()
