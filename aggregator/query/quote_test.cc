#include "aggregator/query/quote.h"

#include <gtest/gtest.h>

namespace wattline::aggregator {
namespace {

std::string UnquoteOrError(std::string_view literal) {
  Result<std::string> value = Unquote(literal);
  return value.ok() ? *value : "error: " + value.status().message();
}

TEST(Quote, QuotesStringsAsGoPercentQ) {
  EXPECT_EQ(Quote("panel"), "\"panel\"");
  EXPECT_EQ(Quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Quote("tab\there\n"), "\"tab\\there\\n\"");
  EXPECT_EQ(Quote(std::string_view("\x01\x7f", 2)), "\"\\x01\\x7f\"");
  EXPECT_EQ(Quote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(Quote("\xff"), "\"\\xff\"");
  EXPECT_EQ(Quote("\xc2\xa0"), "\"\\u00a0\"");
}

TEST(Quote, QuotesRunesAsGoPercentQ) {
  EXPECT_EQ(QuoteRune('!'), "'!'");
  EXPECT_EQ(QuoteRune('\''), "'\\''");
  EXPECT_EQ(QuoteRune('"'), "'\"'");
  EXPECT_EQ(QuoteRune('\n'), "'\\n'");
  EXPECT_EQ(QuoteRune(0xE9), "'\xc3\xa9'");
  EXPECT_EQ(QuoteRune(0xFFFFFFFF), "'\xef\xbf\xbd'");  // invalid: U+FFFD
}

TEST(Quote, DescribesRunesAsGoPercentSharpU) {
  EXPECT_EQ(DescribeRune('q'), "U+0071 'q'");
  EXPECT_EQ(DescribeRune('\n'), "U+000A");
  EXPECT_EQ(DescribeRune(0x1F600), "U+1F600 '\xf0\x9f\x98\x80'");
}

TEST(Quote, UnquotesAllThreeStringForms) {
  EXPECT_EQ(UnquoteOrError("\"panel\""), "panel");
  EXPECT_EQ(UnquoteOrError("'panel'"), "panel");
  EXPECT_EQ(UnquoteOrError("`pa\\nel`"), "pa\\nel");
  EXPECT_EQ(UnquoteOrError("\"\""), "");
}

TEST(Quote, UnquotesGoEscapes) {
  EXPECT_EQ(UnquoteOrError(R"("\a\b\f\n\r\t\v\\\"")"), "\a\b\f\n\r\t\v\\\"");
  EXPECT_EQ(UnquoteOrError(R"('\'')"), "'");
  EXPECT_EQ(UnquoteOrError(R"("\x41\101\u00e9\U0001F600")"), "AA\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(UnquoteOrError(R"("\xff")"), "\xff");  // \x is a byte, not a rune
  EXPECT_EQ(UnquoteOrError(R"("a.b|c")"), "a.b|c");
}

TEST(Quote, RefusesMalformedLiterals) {
  EXPECT_EQ(UnquoteOrError("\""), "error: invalid syntax");
  EXPECT_EQ(UnquoteOrError("\"a'"), "error: invalid syntax");
  EXPECT_EQ(UnquoteOrError(R"("\q")"), "error: invalid syntax");
  EXPECT_EQ(UnquoteOrError(R"("\'")"), "error: invalid syntax");
  EXPECT_EQ(UnquoteOrError(R"('\"')"), "error: invalid syntax");
  EXPECT_EQ(UnquoteOrError(R"("\x4")"), "error: invalid syntax");
  EXPECT_EQ(UnquoteOrError(R"("\400")"), "error: invalid syntax");
  EXPECT_EQ(UnquoteOrError(R"("\uD800")"), "error: invalid syntax");
  EXPECT_EQ(UnquoteOrError("\"a\nb\""), "error: invalid syntax");
  EXPECT_EQ(UnquoteOrError("\"a\"b\""), "error: invalid syntax");
  EXPECT_EQ(UnquoteOrError("`a`b`"), "error: invalid syntax");
}

TEST(Quote, DecodesUtf8AndRejectsWhatGoRejects) {
  size_t width = 0;
  EXPECT_EQ(DecodeRune("a", 0, &width), U'a');
  EXPECT_EQ(width, 1u);
  EXPECT_EQ(DecodeRune("\xc3\xa9", 0, &width), 0xE9u);
  EXPECT_EQ(width, 2u);
  EXPECT_EQ(DecodeRune("\xf0\x9f\x98\x80", 0, &width), 0x1F600u);
  EXPECT_EQ(width, 4u);
  for (std::string_view bad :
       {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3", "\x80", "\xff"}) {
    EXPECT_EQ(DecodeRune(bad, 0, &width), kRuneError) << Quote(bad);
    EXPECT_EQ(width, 1u);
  }
}

}  // namespace
}  // namespace wattline::aggregator
