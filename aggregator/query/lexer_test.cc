#include "aggregator/query/lexer.h"

#include <gtest/gtest.h>

namespace wattline::aggregator {
namespace {

using T = TokenType;

struct Expected {
  TokenType type;
  size_t pos;
  std::string_view text;
};

void ExpectTokens(std::string_view input, const std::vector<Expected>& expected) {
  SCOPED_TRACE(input);
  std::vector<Token> tokens = LexAll(input);
  ASSERT_EQ(tokens.size(), expected.size() + 1) << "last: " << DescribeToken(tokens.back());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(tokens[i].type, expected[i].type) << "token " << i;
    EXPECT_EQ(tokens[i].pos, expected[i].pos) << "token " << i;
    EXPECT_EQ(tokens[i].text, expected[i].text) << "token " << i;
  }
  EXPECT_EQ(tokens.back().type, T::kEof);
  EXPECT_EQ(tokens.back().pos, input.size());
}

// The error, as "<pos>: <message>".
std::string LexError(std::string_view input) {
  std::vector<Token> tokens = LexAll(input);
  if (tokens.back().type != T::kError) return "no error";
  return std::to_string(tokens.back().pos) + ": " + tokens.back().error;
}

TEST(Lexer, SelectorWithMatchers) {
  ExpectTokens("power_watts{device=\"panel\",phase=~'a|b'}", {{T::kIdentifier, 0, "power_watts"},
                                                              {T::kLeftBrace, 11, "{"},
                                                              {T::kIdentifier, 12, "device"},
                                                              {T::kEql, 18, "="},
                                                              {T::kString, 19, "\"panel\""},
                                                              {T::kComma, 26, ","},
                                                              {T::kIdentifier, 27, "phase"},
                                                              {T::kEqlRegex, 32, "=~"},
                                                              {T::kString, 34, "'a|b'"},
                                                              {T::kRightBrace, 39, "}"}});
}

TEST(Lexer, AllMatchOperatorsInsideBraces) {
  ExpectTokens("{a=\"\",b!=\"\",c=~\"\",d!~\"\"}", {{T::kLeftBrace, 0, "{"},
                                                    {T::kIdentifier, 1, "a"},
                                                    {T::kEql, 2, "="},
                                                    {T::kString, 3, "\"\""},
                                                    {T::kComma, 5, ","},
                                                    {T::kIdentifier, 6, "b"},
                                                    {T::kNeq, 7, "!="},
                                                    {T::kString, 9, "\"\""},
                                                    {T::kComma, 11, ","},
                                                    {T::kIdentifier, 12, "c"},
                                                    {T::kEqlRegex, 13, "=~"},
                                                    {T::kString, 15, "\"\""},
                                                    {T::kComma, 17, ","},
                                                    {T::kIdentifier, 18, "d"},
                                                    {T::kNeqRegex, 19, "!~"},
                                                    {T::kString, 21, "\"\""},
                                                    {T::kRightBrace, 23, "}"}});
}

TEST(Lexer, MetricNamesMayContainColons) {
  ExpectTokens("job:power_watts:sum5m", {{T::kMetricIdentifier, 0, "job:power_watts:sum5m"}});
  ExpectTokens(":power", {{T::kMetricIdentifier, 0, ":power"}});
}

TEST(Lexer, KeywordsAreCaseInsensitiveOutsideBracesOnly) {
  ExpectTokens("SUM by offset",
               {{T::kSum, 0, "SUM"}, {T::kBy, 4, "by"}, {T::kOffset, 7, "offset"}});
  // Inside braces a keyword is just a label name.
  ExpectTokens("{by=\"x\"}", {{T::kLeftBrace, 0, "{"},
                              {T::kIdentifier, 1, "by"},
                              {T::kEql, 3, "="},
                              {T::kString, 4, "\"x\""},
                              {T::kRightBrace, 7, "}"}});
}

TEST(Lexer, InfAndNanAreNumbers) {
  ExpectTokens("Inf NaN", {{T::kNumber, 0, "Inf"}, {T::kNumber, 4, "NaN"}});
}

TEST(Lexer, NumbersAndDurations) {
  ExpectTokens("1 2.5 .5 1e3 1.5E-3 0x1F", {{T::kNumber, 0, "1"},
                                            {T::kNumber, 2, "2.5"},
                                            {T::kNumber, 6, ".5"},
                                            {T::kNumber, 9, "1e3"},
                                            {T::kNumber, 13, "1.5E-3"},
                                            {T::kNumber, 20, "0x1F"}});
  ExpectTokens("5m 1h30m 500ms 1y2w3d", {{T::kDuration, 0, "5m"},
                                         {T::kDuration, 3, "1h30m"},
                                         {T::kDuration, 9, "500ms"},
                                         {T::kDuration, 15, "1y2w3d"}});
}

TEST(Lexer, RangeAndSubqueryBrackets) {
  ExpectTokens("x[5m:1m]", {{T::kIdentifier, 0, "x"},
                            {T::kLeftBracket, 1, "["},
                            {T::kDuration, 2, "5m"},
                            {T::kColon, 4, ":"},
                            {T::kDuration, 5, "1m"},
                            {T::kRightBracket, 7, "]"}});
}

TEST(Lexer, Operators) {
  ExpectTokens("+ - * / % ^ == != < <= > >= @ and or unless atan2", {{T::kAdd, 0, "+"},
                                                                     {T::kSub, 2, "-"},
                                                                     {T::kMul, 4, "*"},
                                                                     {T::kDiv, 6, "/"},
                                                                     {T::kMod, 8, "%"},
                                                                     {T::kPow, 10, "^"},
                                                                     {T::kEqlc, 12, "=="},
                                                                     {T::kNeq, 15, "!="},
                                                                     {T::kLss, 18, "<"},
                                                                     {T::kLte, 20, "<="},
                                                                     {T::kGtr, 23, ">"},
                                                                     {T::kGte, 25, ">="},
                                                                     {T::kAt, 28, "@"},
                                                                     {T::kLand, 30, "and"},
                                                                     {T::kLor, 34, "or"},
                                                                     {T::kLunless, 37, "unless"},
                                                                     {T::kAtan2, 44, "atan2"}});
}

TEST(Lexer, StringsInAllThreeQuotes) {
  ExpectTokens(R"({a="x\"y",b='x\'y',c=`x\y`})", {{T::kLeftBrace, 0, "{"},
                                                  {T::kIdentifier, 1, "a"},
                                                  {T::kEql, 2, "="},
                                                  {T::kString, 3, R"("x\"y")"},
                                                  {T::kComma, 9, ","},
                                                  {T::kIdentifier, 10, "b"},
                                                  {T::kEql, 11, "="},
                                                  {T::kString, 12, R"('x\'y')"},
                                                  {T::kComma, 18, ","},
                                                  {T::kIdentifier, 19, "c"},
                                                  {T::kEql, 20, "="},
                                                  {T::kString, 21, "`x\\y`"},
                                                  {T::kRightBrace, 26, "}"}});
}

TEST(Lexer, CommentsRunToTheEndOfTheLine) {
  ExpectTokens("# all panels\npower_watts # trailing", {{T::kComment, 0, "# all panels"},
                                                        {T::kIdentifier, 13, "power_watts"},
                                                        {T::kComment, 25, "# trailing"}});
  ExpectTokens("{a=\"b\" # inside\n}", {{T::kLeftBrace, 0, "{"},
                                        {T::kIdentifier, 1, "a"},
                                        {T::kEql, 2, "="},
                                        {T::kString, 3, "\"b\""},
                                        {T::kComment, 7, "# inside"},
                                        {T::kRightBrace, 16, "}"}});
}

TEST(Lexer, ErrorsInsideBracesAreReportedWhereTheyStart) {
  EXPECT_EQ(LexError("power_watts{device!\"x\"}"),
            "18: unexpected character after '!' inside braces: '\"'");
  EXPECT_EQ(LexError("{a=\"b\" - }"), "7: unexpected character inside braces: '-'");
  EXPECT_EQ(LexError("{1a=\"b\"}"), "1: unexpected character inside braces: '1'");
  EXPECT_EQ(LexError("{a=\"b\""), "6: unexpected end of input inside braces");
  EXPECT_EQ(LexError("{a{"), "2: unexpected left brace '{'");
}

TEST(Lexer, StringErrors) {
  EXPECT_EQ(LexError("{a=\"b}"), "3: unterminated quoted string");
  EXPECT_EQ(LexError("{a=\"b\nc\"}"), "3: unterminated quoted string");
  EXPECT_EQ(LexError("{a=`b}"), "3: unterminated raw string");
  EXPECT_EQ(LexError("{a=\"\\q\"}"), "3: unknown escape sequence U+0071 'q'");
  EXPECT_EQ(LexError("{a=\"\\xg0\"}"), "3: illegal character U+0067 'g' in escape sequence");
  EXPECT_EQ(LexError("{a=\"\\uD800\"}"), "3: escape sequence is an invalid Unicode code point");
  EXPECT_EQ(LexError("{a=\"\\400\"}"), "3: escape sequence is an invalid Unicode code point");
  EXPECT_EQ(LexError("{a=\"\\"), "3: escape sequence not terminated");
  EXPECT_EQ(LexError("{a='\\\"'}"), "3: unknown escape sequence U+0022 '\"'");
  EXPECT_EQ(LexError("{a=\"\xff\"}"), "3: invalid UTF-8 rune");
  EXPECT_EQ(LexError("{a=\"\\x41\\101\\u00e9\\U0001F600\\a\"}"), "no error");
}

TEST(Lexer, StatementErrors) {
  EXPECT_EQ(LexError("a $ b"), "2: unexpected character: '$'");
  EXPECT_EQ(LexError("a =~ b"), "2: unexpected character after '=': '~'");
  EXPECT_EQ(LexError("a ! b"), "2: unexpected character after '!': ' '");
  EXPECT_EQ(LexError("sum(a"), "5: unclosed left parenthesis");
  EXPECT_EQ(LexError("a)"), "2: unexpected right parenthesis ')'");
  EXPECT_EQ(LexError("a[5m"), "4: unclosed left bracket");
  EXPECT_EQ(LexError("a]"), "1: unexpected right bracket ']'");
  EXPECT_EQ(LexError("a[5m[1m]]"), "4: unexpected left bracket '['");
  EXPECT_EQ(LexError("a[5m::1m]"), "5: unexpected colon ':'");
  EXPECT_EQ(LexError("a[5m x]"), "5: unexpected character: 'x', expected ':'");
  EXPECT_EQ(LexError("1a"), "0: bad number or duration syntax: \"1\"");
  EXPECT_EQ(LexError("5mm"), "0: bad number or duration syntax: \"5mm\"");
  EXPECT_EQ(LexError("a \xc3\xa9"), "2: unexpected character: '\xc3\xa9'");
}

TEST(Lexer, KeepsReturningEofAfterAnError) {
  Lexer lexer("a $");
  EXPECT_EQ(lexer.Next().type, T::kIdentifier);
  EXPECT_EQ(lexer.Next().type, T::kError);
  EXPECT_EQ(lexer.Next().type, T::kEof);
  EXPECT_EQ(lexer.Next().type, T::kEof);
}

TEST(Lexer, DescribesTokensAsPrometheusDoes) {
  const auto describe = [](std::string_view input) { return DescribeToken(LexAll(input)[0]); };
  EXPECT_EQ(describe("foo"), "identifier \"foo\"");
  EXPECT_EQ(describe("foo:bar"), "metric identifier \"foo:bar\"");
  EXPECT_EQ(describe("1.5"), "number \"1.5\"");
  EXPECT_EQ(describe("5m"), "duration \"5m\"");
  EXPECT_EQ(describe("\"abc\""), "string \"\\\"abc\\\"\"");
  EXPECT_EQ(describe("\"abcdefghijkl\""), "string \"\\\"abcdefghi\"...");
  EXPECT_EQ(describe("{"), "\"{\"");
  EXPECT_EQ(describe(","), "\",\"");
  EXPECT_EQ(describe("+"), "<op:+>");
  EXPECT_EQ(describe("and"), "<op:and>");
  EXPECT_EQ(describe("sum"), "<aggr:sum>");
  EXPECT_EQ(describe("by"), "<by>");
  EXPECT_EQ(describe(""), "end of input");
}

}  // namespace
}  // namespace wattline::aggregator
