#include "tests/sim/modbus_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <modbus/modbus.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <utility>

#include "tests/sim/modbus_rtu_framer.h"
#include "tests/sim/modbus_unit_config.h"

namespace wattline::sim {
namespace {

// modbus_reply sleeps the response timeout before it flushes the input after
// a malformed request; a server has no use for the 0.5 s default.
constexpr uint32_t kFlushPause = 20 * 1000;  // µs

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// The parts of a request the rules and the served log look at.
struct Request {
  int unit = 0;
  int function = 0;
  int address = 0;
  int count = 0;
};

Request DecodeRequest(const uint8_t* req, int length, int header_length) {
  Request r;
  r.unit = req[header_length - 1];
  r.function = req[header_length];
  const uint8_t* pdu = req + header_length;
  const int pdu_length = length - header_length;
  if (pdu_length < 5) return r;
  const int word1 = (pdu[1] << 8) | pdu[2];
  const int word2 = (pdu[3] << 8) | pdu[4];
  switch (r.function) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 15:
    case 16:
    case 23:
      r.address = word1;
      r.count = word2;
      break;
    case 5:
    case 6:
    case 22:
      r.address = word1;
      r.count = 1;
      break;
    default:
      break;
  }
  return r;
}

bool Contains(const std::vector<int>& list, int value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

using MappingPtr = std::unique_ptr<modbus_mapping_t, void (*)(modbus_mapping_t*)>;

// One simulated meter.
struct Unit {
  UnitConfig config;
  MeterRules rules;
  MappingPtr mapping{nullptr, modbus_mapping_free};
};

}  // namespace

class ModbusMeterServer::Impl {
 public:
  explicit Impl(std::FILE* served_log) : served_log_(served_log) {}

  Status AddUnit(const UnitConfig& config);
  // Answers (or not) one whole request frame received on `ctx`.
  void Handle(modbus_t* ctx, const uint8_t* req, int length);
  Status ServeTcp(const std::string& address, int port,
                  const std::function<Status(int)>& on_listening, int stop_fd);
  Status ServeRtu(const RtuOptions& options, const std::function<Status()>& on_ready, int stop_fd);

 private:
  // The exception the rules give `r` on `unit`, or 0 to let libmodbus answer.
  int RuleException(const Unit& unit, const Request& r) const;
  void Log(const Request& r, const std::string& result);

  std::FILE* served_log_;  // not owned
  std::map<int, Unit> units_;
};

Status ModbusMeterServer::Impl::AddUnit(const UnitConfig& config) {
  const int id = config.meter.unit_id;
  if (units_.count(id) != 0) {
    return Status::InvalidArgument("unit " + std::to_string(id) + " given twice");
  }
  const MeterImage image = BuildMeterImage(config.meter);
  MappingPtr mapping(
      modbus_mapping_new_start_address(
          image.coils.start, static_cast<unsigned>(image.coils.bits.size()),
          image.discrete_inputs.start, static_cast<unsigned>(image.discrete_inputs.bits.size()),
          image.holding.start, static_cast<unsigned>(image.holding.words.size()), image.input.start,
          static_cast<unsigned>(image.input.words.size())),
      modbus_mapping_free);
  if (mapping == nullptr) return Status::Internal(Errno("modbus_mapping_new_start_address"));
  std::copy(image.coils.bits.begin(), image.coils.bits.end(), mapping->tab_bits);
  std::copy(image.discrete_inputs.bits.begin(), image.discrete_inputs.bits.end(),
            mapping->tab_input_bits);
  std::copy(image.holding.words.begin(), image.holding.words.end(), mapping->tab_registers);
  std::copy(image.input.words.begin(), image.input.words.end(), mapping->tab_input_registers);
  units_.emplace(id, Unit{config, RulesFor(config.meter.model), std::move(mapping)});
  return Status::Ok();
}

int ModbusMeterServer::Impl::RuleException(const Unit& unit, const Request& r) const {
  const MeterRules& rules = unit.rules;
  if (!rules.function_codes.empty() && !Contains(rules.function_codes, r.function)) {
    return MODBUS_EXCEPTION_ILLEGAL_FUNCTION;
  }
  const bool register_access = Contains({3, 4, 16}, r.function);
  if (rules.even_addresses_only && register_access && (r.address % 2 != 0 || r.count % 2 != 0)) {
    return MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS;
  }
  const int limit =
      unit.config.faults.max_registers > 0 ? unit.config.faults.max_registers : rules.max_registers;
  if (Contains({3, 4, 23}, r.function) && r.count > limit) {
    return MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE;
  }
  // libmodbus's checks (modbus_reply), repeated so the served log is exact.
  const modbus_mapping_t& m = *unit.mapping;
  int start = 0, size = 0, max_count = 0;
  switch (r.function) {
    case 1:
    case 5:
    case 15:
      start = m.start_bits, size = m.nb_bits;
      max_count = r.function == 15 ? MODBUS_MAX_WRITE_BITS : MODBUS_MAX_READ_BITS;
      break;
    case 2:
      start = m.start_input_bits, size = m.nb_input_bits, max_count = MODBUS_MAX_READ_BITS;
      break;
    case 3:
    case 6:
    case 16:
    case 22:
    case 23:
      start = m.start_registers, size = m.nb_registers;
      max_count = r.function == 16 ? MODBUS_MAX_WRITE_REGISTERS : MODBUS_MAX_READ_REGISTERS;
      break;
    case 4:
      start = m.start_input_registers, size = m.nb_input_registers;
      max_count = MODBUS_MAX_READ_REGISTERS;
      break;
    case 17:
      return 0;  // report slave id: modbus_reply answers
    default:
      // modbus_reply would answer exception 1 too, but only after sleeping
      // the response timeout and flushing the line.
      return MODBUS_EXCEPTION_ILLEGAL_FUNCTION;
  }
  if (r.count < 1 || r.count > max_count) return MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE;
  if (r.address < start || r.address + r.count > start + size) {
    return MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS;
  }
  return 0;
}

void ModbusMeterServer::Impl::Log(const Request& r, const std::string& result) {
  if (served_log_ == nullptr) return;
  std::fprintf(served_log_, "unit=%d fc=%d addr=%d count=%d result=%s\n", r.unit, r.function,
               r.address, r.count, result.c_str());
  std::fflush(served_log_);
}

void ModbusMeterServer::Impl::Handle(modbus_t* ctx, const uint8_t* req, int length) {
  const Request r = DecodeRequest(req, length, modbus_get_header_length(ctx));
  auto found = units_.find(r.unit);
  if (found == units_.end()) return Log(r, "no_unit");
  Unit& unit = found->second;
  if (unit.config.faults.silent) return Log(r, "silent");
  int exception = unit.config.faults.exception_code;
  if (exception == 0) exception = RuleException(unit, r);
  if (exception != 0) {
    Log(r, "exception:" + std::to_string(exception));
    if (modbus_reply_exception(ctx, req, static_cast<unsigned>(exception)) == -1) {
      std::fprintf(stderr, "modbus-meter-sim: %s\n", Errno("modbus_reply_exception").c_str());
    }
    return;
  }
  Log(r, "ok");
  if (modbus_reply(ctx, req, length, unit.mapping.get()) == -1) {
    std::fprintf(stderr, "modbus-meter-sim: %s\n", Errno("modbus_reply").c_str());
  }
}

Status ModbusMeterServer::Impl::ServeTcp(const std::string& address, int port,
                                         const std::function<Status(int)>& on_listening,
                                         int stop_fd) {
  std::unique_ptr<modbus_t, void (*)(modbus_t*)> ctx(modbus_new_tcp(address.c_str(), port),
                                                     modbus_free);
  if (!ctx) return Status::InvalidArgument(Errno(("modbus_new_tcp " + address).c_str()));
  modbus_set_response_timeout(ctx.get(), 0, kFlushPause);
  const int listen_fd = modbus_tcp_listen(ctx.get(), 16);
  if (listen_fd == -1) {
    return Status::Unavailable(
        Errno(("cannot listen on " + address + ":" + std::to_string(port)).c_str()));
  }
  sockaddr_in bound{};
  socklen_t bound_size = sizeof bound;
  if (getsockname(listen_fd, reinterpret_cast<sockaddr*>(&bound), &bound_size) == -1) {
    ::close(listen_fd);
    return Status::Internal(Errno("getsockname"));
  }
  Status status = on_listening(ntohs(bound.sin_port));
  std::vector<int> clients;
  uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH];
  while (status.ok()) {
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(stop_fd, &readable);
    FD_SET(listen_fd, &readable);
    int max_fd = std::max(stop_fd, listen_fd);
    for (int fd : clients) {
      FD_SET(fd, &readable);
      max_fd = std::max(max_fd, fd);
    }
    if (select(max_fd + 1, &readable, nullptr, nullptr, nullptr) == -1) {
      if (errno == EINTR) continue;
      status = Status::Internal(Errno("select"));
      break;
    }
    if (FD_ISSET(stop_fd, &readable)) break;
    if (FD_ISSET(listen_fd, &readable)) {
      const int client = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        clients.push_back(client);
      } else {
        std::fprintf(stderr, "modbus-meter-sim: %s\n", Errno("accept").c_str());
      }
    }
    for (auto it = clients.begin(); it != clients.end();) {
      if (!FD_ISSET(*it, &readable)) {
        ++it;
        continue;
      }
      // modbus_receive reads one whole request (a stalled one times out
      // after the byte timeout, 0.5 s) and returns -1 when the peer left.
      modbus_set_socket(ctx.get(), *it);
      const int length = modbus_receive(ctx.get(), req);
      if (length > 0) Handle(ctx.get(), req, length);
      if (length == -1) {
        ::close(*it);
        it = clients.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (int fd : clients) ::close(fd);
  ::close(listen_fd);
  modbus_set_socket(ctx.get(), -1);
  return status;
}

Status ModbusMeterServer::Impl::ServeRtu(const RtuOptions& options,
                                         const std::function<Status()>& on_ready, int stop_fd) {
  std::unique_ptr<modbus_t, void (*)(modbus_t*)> ctx(
      modbus_new_rtu(options.device.c_str(), options.baud, options.parity, 8, options.stop_bits),
      modbus_free);
  if (!ctx) return Status::InvalidArgument(Errno(("modbus_new_rtu " + options.device).c_str()));
  if (modbus_connect(ctx.get()) == -1) {
    return Status::Unavailable(Errno(("cannot open " + options.device).c_str()));
  }
  modbus_set_response_timeout(ctx.get(), 0, kFlushPause);
  const int fd = modbus_get_socket(ctx.get());
  Status status = on_ready();
  RtuRequestFramer framer;
  std::vector<uint8_t> frame;
  while (status.ok()) {
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(stop_fd, &readable);
    FD_SET(fd, &readable);
    // Inside a frame, a silence means the rest is not coming.
    timeval gap{0, 100 * 1000};
    const int ready = select(std::max(fd, stop_fd) + 1, &readable, nullptr, nullptr,
                             framer.buffered() > 0 ? &gap : nullptr);
    if (ready == -1) {
      if (errno == EINTR) continue;
      status = Status::Internal(Errno("select"));
      break;
    }
    if (ready == 0) {
      std::fprintf(stderr, "modbus-meter-sim: dropped %zu bytes of an incomplete frame\n",
                   framer.buffered());
      framer.Reset();
      continue;
    }
    if (FD_ISSET(stop_fd, &readable)) break;
    uint8_t bytes[MODBUS_RTU_MAX_ADU_LENGTH];
    const ssize_t n = ::read(fd, bytes, sizeof bytes);
    if (n == -1 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      status = Status::Unavailable(n == 0 ? options.device + ": end of file"
                                          : Errno(("read " + options.device).c_str()));
      break;
    }
    framer.Append(bytes, static_cast<size_t>(n));
    while (true) {
      const RtuRequestFramer::Next next = framer.TakeFrame(&frame);
      if (next == RtuRequestFramer::Next::kNeedMore) break;
      if (next == RtuRequestFramer::Next::kBadFrame) {
        std::fprintf(stderr, "modbus-meter-sim: dropped a frame with a bad CRC\n");
        tcflush(fd, TCIFLUSH);
        break;
      }
      Handle(ctx.get(), frame.data(), static_cast<int>(frame.size()));
    }
  }
  modbus_close(ctx.get());
  return status;
}

ModbusMeterServer::ModbusMeterServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ModbusMeterServer::~ModbusMeterServer() = default;

Result<std::unique_ptr<ModbusMeterServer>> ModbusMeterServer::Create(std::vector<UnitConfig> units,
                                                                     std::FILE* served_log) {
  if (units.empty()) return Status::InvalidArgument("no --unit given");
  auto impl = std::make_unique<Impl>(served_log);
  for (const UnitConfig& unit : units) WATTLINE_RETURN_IF_ERROR(impl->AddUnit(unit));
  return std::unique_ptr<ModbusMeterServer>(new ModbusMeterServer(std::move(impl)));
}

Status ModbusMeterServer::ServeTcp(const std::string& address, int port,
                                   const std::function<Status(int)>& on_listening, int stop_fd) {
  return impl_->ServeTcp(address, port, on_listening, stop_fd);
}

Status ModbusMeterServer::ServeRtu(const RtuOptions& options,
                                   const std::function<Status()>& on_ready, int stop_fd) {
  return impl_->ServeRtu(options, on_ready, stop_fd);
}

}  // namespace wattline::sim
