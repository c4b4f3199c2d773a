#include "aggregator/rules/alert_template.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace wattline::aggregator {
namespace {

class AlertTemplateTest : public ::testing::Test {
 protected:
  // The expansion of `text`, which must parse and expand.
  std::string Expand(std::string_view text) {
    Result<AlertTemplate> parsed = ParseAlertTemplate(text);
    if (!parsed.ok()) {
      ADD_FAILURE() << text << ": " << parsed.status().message();
      return "";
    }
    Result<std::string> expanded = parsed->Expand(Data());
    if (!expanded.ok()) {
      ADD_FAILURE() << text << ": " << expanded.status().message();
      return "";
    }
    return *expanded;
  }

  // Why `text` does not parse.
  std::string ParseError(std::string_view text) {
    Result<AlertTemplate> parsed = ParseAlertTemplate(text);
    if (parsed.ok()) {
      ADD_FAILURE() << text << " parses";
      return "";
    }
    EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument);
    return parsed.status().message();
  }

  // Why `text`, which parses, does not expand.
  std::string ExpandError(std::string_view text) {
    Result<AlertTemplate> parsed = ParseAlertTemplate(text);
    if (!parsed.ok()) {
      ADD_FAILURE() << text << ": " << parsed.status().message();
      return "";
    }
    Result<std::string> expanded = parsed->Expand(Data());
    if (expanded.ok()) {
      ADD_FAILURE() << text << " expands to " << *expanded;
      return "";
    }
    EXPECT_EQ(expanded.status().code(), Status::Code::kInvalidArgument);
    return expanded.status().message();
  }

  AlertTemplateData Data() const {
    return {&labels_, &external_labels_, "http://prom.example:9090/prefix", value_};
  }

  Labels labels_ = {{"__name__", "m"}, {"instance", "host-1.example:9100"}, {"job", "node"}};
  Labels external_labels_ = {{"cluster", "c1"}, {"region", "eu"}};
  double value_ = 1.5;
};

TEST_F(AlertTemplateTest, TextWithoutActionsIsCopied) {
  EXPECT_EQ(Expand(""), "");
  EXPECT_EQ(Expand("plain { text }\n"), "plain { text }\n");
}

TEST_F(AlertTemplateTest, PredefinedVariablesAndDot) {
  EXPECT_EQ(Expand("{{ $labels.job }} {{ $value }} {{ $externalURL }}"),
            "node 1.5 http://prom.example:9090/prefix");
  EXPECT_EQ(Expand("{{ $externalLabels.region }}|{{ .Labels.instance }}|{{ .Value }}"),
            "eu|host-1.example:9100|1.5");
  EXPECT_EQ(Expand("{{ .ExternalLabels.cluster }} {{ .ExternalURL }}"),
            "c1 http://prom.example:9090/prefix");
  EXPECT_EQ(Expand("{{ with $labels }}{{ $.Value }}{{ end }}"), "1.5");
  EXPECT_EQ(Expand("{{ . }}"),
            "{map[__name__:m instance:host-1.example:9100 job:node] map[cluster:c1 region:eu] "
            "http://prom.example:9090/prefix 1.5}");
  EXPECT_EQ(Expand("{{ $labels }}"), "map[__name__:m instance:host-1.example:9100 job:node]");
}

TEST_F(AlertTemplateTest, MissingLabelPrintsEmpty) {
  EXPECT_EQ(Expand("[{{ $labels.nope }}][{{ index $labels \"nope\" }}][{{ .Labels.nope }}]"),
            "[][][]");
}

TEST_F(AlertTemplateTest, NoExternalLabelsIsAnEmptyMap) {
  Result<AlertTemplate> parsed =
      ParseAlertTemplate("{{ $externalLabels }}{{ len $externalLabels }}");
  ASSERT_TRUE(parsed.ok());
  AlertTemplateData data{&labels_, nullptr, "", 0};
  EXPECT_EQ(*parsed->Expand(data), "map[]0");
}

TEST_F(AlertTemplateTest, TrimMarkersRemoveAdjacentSpace) {
  EXPECT_EQ(Expand("a \t\r\n {{- \"b\" -}} \n\t c"), "abc");
  EXPECT_EQ(Expand("a {{- \"b\" }} c"), "ab c");
  EXPECT_EQ(Expand("a {{ \"b\" -}} c"), "a bc");
  EXPECT_EQ(Expand("{{ -3 }}|{{-3}}"), "-3|-3");  // a minus, not a marker
  EXPECT_EQ(Expand("x {{- /* c */ -}} y|x {{/* c */ -}} y|x {{- /* c */}} y"), "xy|x y|x y");
}

TEST_F(AlertTemplateTest, CommentsPrintNothing) {
  EXPECT_EQ(Expand("a{{/* a comment\nover lines */}}b"), "ab");
  EXPECT_EQ(ParseError("{{ /* x */ }}"), "1: unexpected \"/\" in command");
  EXPECT_EQ(ParseError("{{/* x */ }}"), "1: comment ends before closing delimiter");
  EXPECT_EQ(ParseError("{{/* x"), "1: unclosed comment");
}

TEST_F(AlertTemplateTest, PipelinePassesResultAsLastArgument) {
  EXPECT_EQ(Expand("{{ $labels.job | printf \"%s-%s\" \"a\" }}"), "a-node");
  EXPECT_EQ(Expand("{{ 3 | printf \"%d %d\" 1 2 }}"), "1 2%!(EXTRA int=3)");
  EXPECT_EQ(Expand("{{ $labels.job | toUpper | printf \"[%s]\" }}"), "[NODE]");
  EXPECT_EQ(Expand("{{ \"b\" | lt \"a\" }}"), "true");
  EXPECT_EQ(Expand("{{ .Value | humanize }}"), "1.5");
}

TEST_F(AlertTemplateTest, VariablesDeclareAndAssign) {
  EXPECT_EQ(Expand("{{ $x := \"a\" }}{{ $x }}{{ $x = \"b\" }}{{ $x }}"), "ab");
  EXPECT_EQ(Expand("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}"), "2");
}

TEST_F(AlertTemplateTest, VariablesLiveUntilTheirEnd) {
  EXPECT_EQ(Expand("{{ $x := \"out\" }}{{ if true }}{{ $x := \"in\" }}{{ $x }}{{ end }}{{ $x }}"),
            "inout");
  EXPECT_EQ(Expand("{{ with $v := $labels.job }}{{ $v }}{{ end }}"), "node");
  EXPECT_EQ(ParseError("{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}"),
            "1: undefined variable \"$y\"");
  EXPECT_EQ(ParseError("{{ with $x := 1 }}{{ end }}{{ $x }}"), "1: undefined variable \"$x\"");
  // Go's parser lets the else branch see a variable of the if branch; only
  // execution finds it undefined.
  EXPECT_EQ(ExpandError("{{ if false }}{{ $y := 1 }}{{ else }}{{ $y }}{{ end }}"),
            "1:152: executing at <$y>: undefined variable: $y");
}

TEST_F(AlertTemplateTest, ManyVariablesLeaveDotIntact) {
  std::string text;
  for (int i = 0; i < 40; ++i)
    text += "{{ $v" + std::to_string(i) + " := " + std::to_string(i) + " }}";
  text += "{{ .Labels.job }}{{ $v39 }}";
  EXPECT_EQ(Expand(text), "node39");
}

TEST_F(AlertTemplateTest, StringLiterals) {
  EXPECT_EQ(Expand(R"({{ "a\tb\n\"c\"\\d\x41\u00e9" }})"), "a\tb\n\"c\"\\dAé");
  EXPECT_EQ(Expand("{{ `raw \\n \"x\"` }}"), "raw \\n \"x\"");
  EXPECT_EQ(ParseError(R"({{ "\q" }})"), "1: invalid syntax");
  EXPECT_EQ(ParseError("{{ \"open }}"), "1: unterminated quoted string");
  EXPECT_EQ(ParseError("{{ `open }}"), "1: unterminated raw quoted string");
}

TEST_F(AlertTemplateTest, NumberLiteralsAreIntsOrFloats) {
  EXPECT_EQ(Expand("{{ 42 }} {{ -7 }} {{ 0x1F }} {{ 017 }} {{ 0b101 }} {{ 1_000 }}"),
            "42 -7 31 15 5 1000");
  EXPECT_EQ(Expand("{{ 1.5 }} {{ 1e3 }} {{ 1.0 }} {{ .5 }} {{ 0x1p-2 }} {{ 1e21 }}"),
            "1.5 1000 1 0.5 0.25 1e+21");
  EXPECT_EQ(Expand("{{ 'a' }} {{ '\\n' }}"), "97 10");
  EXPECT_EQ(Expand("{{ true }} {{ false }}"), "true false");
  EXPECT_EQ(ParseError("{{ 089 }}"), "1: integer overflow: \"089\"");
  EXPECT_EQ(ParseError("{{ 1.a }}"), "1: bad number syntax: \"1.a\"");
  EXPECT_EQ(ParseError("{{ 'ab' }}"), "1: malformed character constant: 'ab'");
  EXPECT_EQ(ExpandError("{{ 18446744073709551615 }}"),
            "1:115: executing at <18446744073709551615>: 18446744073709551615 overflows int");
}

TEST_F(AlertTemplateTest, NilIsNoCommand) {
  EXPECT_EQ(ExpandError("{{ nil }}"), "1:115: executing at <nil>: nil is not a command");
  EXPECT_EQ(Expand("{{ print nil }}"), "<nil>");
  EXPECT_EQ(ParseError("{{ nil.a }}"), "1: unexpected . after term \"nil\"");
}

TEST_F(AlertTemplateTest, FieldChains) {
  EXPECT_EQ(Expand("{{ ($labels).job }}|{{ (print \"x\" | len) }}|{{ $.Labels.job }}"),
            "node|1|node");
  EXPECT_EQ(ExpandError("{{ $labels.job.x }}"),
            "1:122: executing at <$labels.job.x>: can't evaluate field x in type string");
  EXPECT_EQ(ExpandError("{{ .Nope }}"),
            "1:115: executing at <.Nope>: can't evaluate field Nope in type struct { Labels "
            "map[string]string; ExternalLabels map[string]string; ExternalURL string; Value "
            "float64 }");
  EXPECT_EQ(ExpandError("{{ (humanize 1).x }}"),
            "1:125: executing at <1>: can't evaluate field x in type string");
  EXPECT_EQ(ExpandError("{{ .Labels.job \"x\" }}"),
            "1:122: executing at <.Labels.job>: job is not a method but has arguments");
}

TEST_F(AlertTemplateTest, IfElseIfElse) {
  const std::string text =
      "{{ if gt $value 10.0 }}high{{ else if gt $value 1.0 }}mid{{ else }}low{{ end }}";
  EXPECT_EQ(Expand(text), "mid");
  value_ = 20;
  EXPECT_EQ(Expand(text), "high");
  value_ = 0.5;
  EXPECT_EQ(Expand(text), "low");
  EXPECT_EQ(Expand("{{ if $labels.nope }}x{{ end }}"), "");
}

TEST_F(AlertTemplateTest, TruthIsGos) {
  EXPECT_EQ(Expand("{{ if 0 }}t{{ else }}f{{ end }}{{ if 0.0 }}t{{ else }}f{{ end }}"
                   "{{ if \"\" }}t{{ else }}f{{ end }}{{ if false }}t{{ else }}f{{ end }}"
                   "{{ if $externalLabels.nope }}t{{ else }}f{{ end }}"),
            "fffff");
  EXPECT_EQ(Expand("{{ if 1 }}t{{ end }}{{ if \"0\" }}t{{ end }}{{ if $labels }}t{{ end }}"
                   "{{ if . }}t{{ end }}{{ if true }}t{{ end }}"),
            "ttttt");
  value_ = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Expand("{{ if $value }}NaN is true{{ end }}"), "NaN is true");
}

TEST_F(AlertTemplateTest, WithSetsDotOrTakesElse) {
  EXPECT_EQ(Expand("{{ with $labels.job }}[{{ . }}]{{ else }}none{{ end }}"), "[node]");
  EXPECT_EQ(Expand("{{ with $labels.nope }}[{{ . }}]{{ else }}none{{ end }}"), "none");
}

TEST_F(AlertTemplateTest, RangeOverMapSortedByKey) {
  labels_ = {{"b", "2"}, {"a", "1"}};  // not canonical: range still sorts
  std::sort(labels_.begin(), labels_.end());
  EXPECT_EQ(Expand("{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}"), "a=1;b=2;");
  EXPECT_EQ(Expand("{{ range $labels }}<{{ . }}>{{ end }}"), "<1><2>");
  EXPECT_EQ(Expand("{{ range $v := $labels }}{{ $v }}{{ end }}"), "12");
  EXPECT_EQ(Expand("{{ range $externalLabels }}{{ range $labels }}{{ . }}{{ end }}|{{ end }}"),
            "12|12|");
  EXPECT_EQ(Expand("{{ range $x := $labels }}{{ $x := \"shadow\" }}{{ end }}ok"), "ok");
}

TEST_F(AlertTemplateTest, RangeOverNothingTakesElse) {
  labels_.clear();
  EXPECT_EQ(Expand("{{ range $labels }}x{{ else }}empty{{ end }}"), "empty");
  EXPECT_EQ(ExpandError("{{ range $value }}{{ end }}"),
            "1:121: executing at <$value>: range can't iterate over 1.5");
  EXPECT_EQ(ParseError("{{ range $a, $b, $c := . }}{{ end }}"),
            "1: too many declarations in range");
}

TEST_F(AlertTemplateTest, AndOrShortCircuitAndReturnTheDecidingArgument) {
  EXPECT_EQ(Expand("{{ and 1 0 2 }}|{{ and 1 2 }}|{{ or 0 \"\" 3 }}|{{ or 0 \"\" }}"), "0|2|3|");
  EXPECT_EQ(Expand("{{ or $labels.nope \"default\" }}|{{ and $labels.job $labels.instance }}"),
            "default|host-1.example:9100");
  // The argument after the deciding one is not evaluated: no error.
  EXPECT_EQ(Expand("{{ and 0 (humanize \"x\") }}|{{ or 1 (humanize \"x\") }}"), "0|1");
  EXPECT_EQ(Expand("{{ 3 | and 1 }}|{{ 0 | or 0 }}"), "3|0");
  EXPECT_EQ(ExpandError("{{ and }}"),
            "1:115: executing at <and>: wrong number of args for and: want at least 1 got 0");
}

TEST_F(AlertTemplateTest, NotLenIndex) {
  EXPECT_EQ(Expand("{{ not 0 }} {{ not \"x\" }} {{ len $labels }} {{ len \"héllo\" }}"),
            "true false 3 6");
  EXPECT_EQ(
      Expand("{{ index $labels \"job\" }} {{ index \"abc\" 1 }} {{ index $labels \"job\" 0 }}"),
      "node 98 110");
  EXPECT_EQ(ExpandError("{{ len 3 }}"),
            "1:115: executing at <len 3>: error calling len: len of type int");
  EXPECT_EQ(ExpandError("{{ index \"abc\" 5 }}"),
            "1:115: executing at <index \"abc\" 5>: error calling index: index out of range: 5");
  EXPECT_EQ(ExpandError("{{ index $labels 1 }}"),
            "1:115: executing at <index $labels 1>: error calling index: value has type int; "
            "should be string");
}

TEST_F(AlertTemplateTest, Comparisons) {
  EXPECT_EQ(Expand("{{ eq 1 2 3 1 }} {{ eq \"a\" \"b\" }} {{ eq $labels.job \"x\" \"node\" }}"),
            "true false true");
  EXPECT_EQ(
      Expand("{{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 $value }}"),
      "true true true true true");
  EXPECT_EQ(Expand("{{ eq (index \"a\" 0) 97 }} {{ lt (index \"a\" 0) 98 }}"), "true true");
  EXPECT_EQ(ExpandError("{{ lt 1 1.5 }}"),
            "1:115: executing at <lt 1 1.5>: error calling lt: incompatible types for comparison");
  EXPECT_EQ(ExpandError("{{ gt $value 1 }}"),
            "1:115: executing at <gt $value 1>: error calling gt: incompatible types for "
            "comparison");
  EXPECT_EQ(ExpandError("{{ lt true false }}"),
            "1:115: executing at <lt true false>: error calling lt: invalid type for comparison");
  EXPECT_EQ(ExpandError("{{ eq $labels $labels }}"),
            "1:115: executing at <eq $labels $labels>: error calling eq: non-comparable type "
            "map[__name__:m instance:host-1.example:9100 job:node]: map[string]string");
  EXPECT_EQ(ExpandError("{{ eq 1 }}"),
            "1:115: executing at <eq 1>: error calling eq: missing argument for comparison");
}

TEST_F(AlertTemplateTest, PrintAddsSpacesBetweenNonStrings) {
  EXPECT_EQ(Expand("{{ print 1 2 \"x\" 3 4.5 true nil }}"), "1 2x3 4.5 true <nil>");
  EXPECT_EQ(Expand("{{ println 1 \"x\" }}|{{ print }}|"), "1 x\n||");
}

TEST_F(AlertTemplateTest, PrintfVerbs) {
  EXPECT_EQ(Expand("{{ printf \"%d|%5.2f|%-5s|%q|%x|%X|%v|%g|%e|%%|%s|%t|%05d|%+d\" 42 3.14159 "
                   "\"ab\" \"q\\\"\" 255 \"hi\" $labels 1e-7 1234.5678 \"s\" true 42 42 }}"),
            "42| 3.14|ab   |\"q\\\"\"|ff|6869|map[__name__:m instance:host-1.example:9100 "
            "job:node]|1e-07|1.234568e+03|%|s|true|00042|+42");
  EXPECT_EQ(Expand("{{ printf \"%.3f|%8.3f|%-8.2e|%10s|%.2s|%c|%U|%o|%b|%6.2f%%\" 3.14159 2.5 "
                   "12345.678 \"r\" \"abcdef\" 65 65 8 5 99.5 }}"),
            "3.142|   2.500|1.23e+04|         r|ab|A|U+0041|10|101| 99.50%");
  EXPECT_EQ(Expand("{{ printf \"%s\" 1 }}|{{ printf \"%d\" \"x\" }}|{{ printf \"%d\" }}|"
                   "{{ printf \"%z\" 1 }}|{{ printf \"x\" 1 }}"),
            "%!s(int=1)|%!d(string=x)|%!d(MISSING)|%!z(int=1)|x%!(EXTRA int=1)");
  EXPECT_EQ(Expand("{{ printf \"%*d|%.*f|%T\" 4 1 2 3.14159 $labels }}"),
            "   1|3.14|map[string]string");
  EXPECT_EQ(Expand("{{ printf \"%v|%.2f|%5.1f\" $value $value $value }}"), "1.5|1.50|  1.5");
  EXPECT_EQ(ExpandError("{{ printf 1 }}"), "1:122: executing at <1>: expected string; found 1");
}

TEST_F(AlertTemplateTest, Escapers) {
  EXPECT_EQ(Expand("{{ html \"<a href=\\\"x\\\">&'</a>\" }}"),
            "&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(Expand("{{ js \"a&b=c<d>\\\"'\\\\ é\\t\" }}"),
            "a\\u0026b\\u003Dc\\u003Cd\\u003E\\\"\\'\\\\ é\\u0009");
  EXPECT_EQ(Expand("{{ urlquery \"a b&c/d~é\" }}"), "a+b%26c%2Fd~%C3%A9");
  EXPECT_EQ(Expand("{{ html 1 2 }}"), "1 2");
}

TEST_F(AlertTemplateTest, Humanize) {
  EXPECT_EQ(Expand("{{ humanize 1234567 }} {{ humanize 0.000123 }} {{ humanize 0 }} "
                   "{{ humanize -1500 }} {{ humanize \"1e3\" }} {{ humanize 1e30 }}"),
            "1.235M 123u 0 -1.5k 1k 1e+06Y");
  EXPECT_EQ(Expand("{{ humanize1024 1048576 }} {{ humanize1024 0.5 }} {{ humanize1024 1500 }}"),
            "1Mi 0.5 1.465ki");
  EXPECT_EQ(Expand("{{ humanize \"NaN\" }} {{ humanize \"Inf\" }} {{ humanize \"-inf\" }}"),
            "NaN +Inf -Inf");
}

TEST_F(AlertTemplateTest, HumanizeDurationPercentageTimestamp) {
  EXPECT_EQ(Expand("{{ humanizeDuration 3661.5 }}|{{ humanizeDuration 90061 }}|"
                   "{{ humanizeDuration 0.0015 }}|{{ humanizeDuration 0 }}|"
                   "{{ humanizeDuration -90 }}|{{ humanizeDuration 12.345678 }}"),
            "1h 1m 1s|1d 1h 1m 1s|1.5ms|0s|-1m 30s|12.35s");
  // Go's int64 of a float beyond its range is the smallest int64 (amd64).
  EXPECT_EQ(Expand("{{ humanizeDuration 1e20 }}"), "-106751991167300d -15h -30m -8s");
  EXPECT_EQ(Expand("{{ humanizePercentage 0.1234 }} {{ humanizePercentage 1 }}"), "12.34% 100%");
  EXPECT_EQ(Expand("{{ humanizeTimestamp 1679000000.5 }}|{{ humanizeTimestamp 0 }}|"
                   "{{ humanizeTimestamp -1.5 }}|{{ humanizeTimestamp \"NaN\" }}"),
            "2023-03-16 20:53:20.5 +0000 UTC|1970-01-01 00:00:00 +0000 UTC|"
            "1969-12-31 23:59:58.5 +0000 UTC|NaN");
  EXPECT_EQ(ExpandError("{{ humanizeTimestamp 1e30 }}"),
            "1:115: executing at <humanizeTimestamp 1e30>: error calling humanizeTimestamp: "
            "1e+30 cannot be represented as a nanoseconds timestamp since it overflows int64");
}

TEST_F(AlertTemplateTest, HumanizeRefusesWhatIsNoNumber) {
  EXPECT_EQ(ExpandError("{{ humanize \"abc\" }}"),
            "1:115: executing at <humanize \"abc\">: error calling humanize: strconv.ParseFloat: "
            "parsing \"abc\": invalid syntax");
  EXPECT_EQ(ExpandError("{{ \"abc\" | humanize }}"),
            "1:123: executing at <humanize>: error calling humanize: strconv.ParseFloat: "
            "parsing \"abc\": invalid syntax");
  EXPECT_EQ(ExpandError("{{ humanize \"1e400\" }}"),
            "1:115: executing at <humanize \"1e400\">: error calling humanize: "
            "strconv.ParseFloat: parsing \"1e400\": value out of range");
  EXPECT_EQ(ExpandError("{{ humanize true }}"),
            "1:115: executing at <humanize true>: error calling humanize: can't convert bool to "
            "float");
  EXPECT_EQ(ExpandError("{{ humanize }}"),
            "1:115: executing at <humanize>: wrong number of args for humanize: want 1 got 0");
}

TEST_F(AlertTemplateTest, StringFunctions) {
  EXPECT_EQ(Expand("{{ title \"hello o'neil foo.bar x_y élan\" }}"),
            "Hello O'Neil Foo.Bar X_y Élan");
  EXPECT_EQ(Expand("{{ toUpper \"straße éa\" }}|{{ toLower \"ÉA\" }}"), "STRAßE ÉA|éa");
  EXPECT_EQ(Expand("{{ stripPort \"host:9100\" }}|{{ stripPort \"[::1]:80\" }}|"
                   "{{ stripPort \"host\" }}|{{ stripPort \"a:b:c\" }}|{{ stripPort \":80\" }}"),
            "host|::1|host|a:b:c|");
  EXPECT_EQ(Expand("{{ safeHtml \"<b>\" }}|{{ printf \"%s\" (safeHtml \"x\") }}"), "<b>|x");
  EXPECT_EQ(ExpandError("{{ safeHtml \"x\" | toUpper }}"),
            "1:130: executing at <toUpper>: wrong type for value; expected string; got "
            "template.HTML");
  EXPECT_EQ(ExpandError("{{ toUpper $value }}"),
            "1:123: executing at <$value>: wrong type for value; expected string; got float64");
}

TEST_F(AlertTemplateTest, RegexpFunctions) {
  EXPECT_EQ(Expand("{{ match \"^host\" $labels.instance }} {{ match \"x\" \"y\" }}"), "true false");
  EXPECT_EQ(Expand("{{ reReplaceAll \"^(.*):[0-9]+$\" \"$1\" $labels.instance }}"),
            "host-1.example");
  EXPECT_EQ(Expand("{{ reReplaceAll \"(\\\\w+)-(?P<n>\\\\d+)\" \"$2_${1}x $n $$ $1x $ ${\" "
                   "\"ab-12 cd-3\" }}"),
            "abx 12 $  $ ${ cdx 3 $  $ ${");
  EXPECT_EQ(
      Expand("{{ reReplaceAll \"a*\" \"-\" \"baaac\" }}|{{ reReplaceAll \"\" \"-\" \"ab\" }}"),
      "-b-c-|-a-b-");
  EXPECT_EQ(ExpandError("{{ reReplaceAll \"(\" \"x\" \"y\" }}"),
            "1:115: executing at <reReplaceAll \"(\" \"x\" \"y\">: error calling reReplaceAll: "
            "regexp: Compile(`(`): error parsing regexp: missing closing ): `(`");
  EXPECT_EQ(ExpandError("{{ match \"(\" \"y\" }}"),
            "1:115: executing at <match \"(\" \"y\">: error calling match: error parsing regexp: "
            "missing closing ): `(`");
}

TEST_F(AlertTemplateTest, ErrorsCountLinesAndColumnsAsPrometheus) {
  // Column 0 is the line's first byte; on line 1 Prometheus's definitions
  // of $labels, $value, ... come first (112 bytes).
  EXPECT_EQ(ExpandError("line1\n  {{ humanize \"x\" }}"),
            "2:5: executing at <humanize \"x\">: error calling humanize: strconv.ParseFloat: "
            "parsing \"x\": invalid syntax");
}

TEST_F(AlertTemplateTest, RefusesWhatWattlineDoesNotOffer) {
  for (const char* name : {"query", "first", "label", "value", "strvalue", "sortByLabel", "args",
                           "pathPrefix", "tableLink"}) {
    EXPECT_EQ(
        ParseError("{{ " + std::string(name) + " \"x\" }}"),
        "1: function \"" + std::string(name) + "\" is not supported by Wattline's alert templates");
  }
  EXPECT_EQ(ParseError("{{ define \"x\" }}y{{ end }}"),
            "1: {{define}} is not supported by Wattline's alert templates");
  EXPECT_EQ(ParseError("{{ template \"x\" }}"),
            "1: {{template}} is not supported by Wattline's alert templates");
  EXPECT_EQ(ParseError("{{ block \"x\" . }}y{{ end }}"),
            "1: {{block}} is not supported by Wattline's alert templates");
}

TEST_F(AlertTemplateTest, ParseErrorsAreGos) {
  EXPECT_EQ(ParseError("{{ foo }}"), "1: function \"foo\" not defined");
  EXPECT_EQ(ParseError("{{ end }}"), "1: unexpected {{end}}");
  EXPECT_EQ(ParseError("{{ else }}"), "1: unexpected {{else}}");
  EXPECT_EQ(ParseError("{{ if true }}x"), "1: unexpected EOF");
  EXPECT_EQ(ParseError("{{ if true }}{{ else }}{{ else }}{{ end }}"),
            "1: expected end; found {{else}}");
  EXPECT_EQ(ParseError("{{ }}"), "1: missing value for command");
  EXPECT_EQ(ParseError("{{ .a.b }"), "1: unexpected \"}\" in operand");
  EXPECT_EQ(ParseError("{{ (1 }}"), "1: unclosed left paren");
  EXPECT_EQ(ParseError("{{ 1) }}"), "1: unexpected \")\" in command");
  EXPECT_EQ(ParseError("{{ 1 | 2 }}"), "1: non executable command in pipeline stage 2");
  EXPECT_EQ(ParseError("{{$x=1}}"), "1: bad character U+003D '='");
  EXPECT_EQ(ParseError("a\n{{ \"x }}"), "2: unterminated quoted string");
  EXPECT_EQ(ParseError("{{ if true }}\n\n{{ 1"), "3: unclosed action");
  // Go names the template where we name the line.
  EXPECT_EQ(ParseError("{{ 1\n\n"), "3: unclosed action started at line 1");
}

TEST_F(AlertTemplateTest, DeepNestingIsRefused) {
  std::string text = "{{ ";
  for (int i = 0; i < 101; ++i) text += "(";
  text += "1";
  for (int i = 0; i < 101; ++i) text += ")";
  text += " }}";
  EXPECT_EQ(ParseError(text),
            "1: max expression depth exceeded (100 nested blocks or parentheses)");
  std::string blocks;
  for (int i = 0; i < 101; ++i) blocks += "{{ if true }}";
  EXPECT_EQ(ParseError(blocks),
            "1: max expression depth exceeded (100 nested blocks or parentheses)");
}

TEST_F(AlertTemplateTest, HugeOutputIsRefused) {
  // 20 labels ranged over 3 deep would print 8000 kilobytes.
  labels_.clear();
  for (int i = 0; i < 20; ++i) labels_.push_back({"l" + std::to_string(100 + i), "value"});
  std::string text;
  for (int i = 0; i < 3; ++i) text += "{{ range $labels }}";
  text += std::string(1000, 'x');
  for (int i = 0; i < 3; ++i) text += "{{ end }}";
  EXPECT_EQ(ExpandError(text), "template output exceeds 1048576 bytes");
  std::string doubling = "{{ $x := \"0123456789abcdef\" }}";
  for (int i = 0; i < 20; ++i) doubling += "{{ $x = print $x $x }}";
  EXPECT_EQ(ExpandError(doubling), "template output exceeds 1048576 bytes");
}

TEST_F(AlertTemplateTest, EndlessWorkIsRefused) {
  labels_.clear();
  for (int i = 0; i < 20; ++i) labels_.push_back({"l" + std::to_string(100 + i), "value"});
  std::string text;
  for (int i = 0; i < 5; ++i) text += "{{ range $labels }}";
  for (int i = 0; i < 5; ++i) text += "{{ end }}";
  EXPECT_EQ(ExpandError(text), "template execution exceeds 100000 steps");
}

TEST_F(AlertTemplateTest, DefaultTemplateExpandsToNothing) {
  AlertTemplate empty;
  EXPECT_EQ(*empty.Expand(Data()), "");
}

TEST(FormatGoFloatG, PrintsAsGosPercentV) {
  EXPECT_EQ(FormatGoFloatG(0), "0");
  EXPECT_EQ(FormatGoFloatG(-0.0), "-0");
  EXPECT_EQ(FormatGoFloatG(0.1), "0.1");
  EXPECT_EQ(FormatGoFloatG(100), "100");
  EXPECT_EQ(FormatGoFloatG(123456.789), "123456.789");
  EXPECT_EQ(FormatGoFloatG(999999), "999999");
  EXPECT_EQ(FormatGoFloatG(1e6), "1e+06");
  EXPECT_EQ(FormatGoFloatG(1234567.5), "1.2345675e+06");
  EXPECT_EQ(FormatGoFloatG(0.0001), "0.0001");
  EXPECT_EQ(FormatGoFloatG(0.00001), "1e-05");
  EXPECT_EQ(FormatGoFloatG(1.5e-7), "1.5e-07");
  EXPECT_EQ(FormatGoFloatG(-2.5e100), "-2.5e+100");
  EXPECT_EQ(FormatGoFloatG(5e-324), "5e-324");
  EXPECT_EQ(FormatGoFloatG(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(FormatGoFloatG(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatGoFloatG(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatGoFloatG(-std::numeric_limits<double>::infinity()), "-Inf");
}

}  // namespace
}  // namespace wattline::aggregator
