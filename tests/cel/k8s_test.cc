// Kubernetes CEL libraries: quantity, regex, lists, url, ip, cidr.
#include <gtest/gtest.h>

#include "eval_util.h"

namespace aimsgate::cel {
namespace {

struct Case {
  const char* expr;
  const char* want;  // DebugString, or "error: <substring>"
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.expr; }

class K8sTest : public ::testing::TestWithParam<Case> {};

TEST_P(K8sTest, Evaluates) {
  const Case& c = GetParam();
  Value v = testing::Eval(c.expr);
  std::string want = c.want;
  if (want.rfind("error: ", 0) == 0) {
    ASSERT_TRUE(v.IsError()) << c.expr << " gave " << v.DebugString();
    EXPECT_NE(v.ErrorMessage().find(want.substr(7)), std::string::npos) << v.ErrorMessage();
  } else {
    EXPECT_EQ(v.DebugString(), want) << c.expr;
  }
}

INSTANTIATE_TEST_SUITE_P(Quantity, K8sTest, ::testing::Values(
    Case{"quantity('500m').isLessThan(quantity('1'))", "true"},
    Case{"quantity('1Gi').isGreaterThan(quantity('1G'))", "true"},
    Case{"quantity('1k').compareTo(quantity('1000'))", "0"},
    Case{"quantity('1') == quantity('1000m')", "true"},
    Case{"quantity('1.5Gi').asInteger()", "1610612736"},
    Case{"quantity('500m').asInteger()", "error: not an int64"},
    Case{"quantity('500m').isInteger()", "false"},
    Case{"quantity('2e3').asInteger()", "2000"},
    Case{"quantity('250m').asApproximateFloat()", "0.25"},
    Case{"quantity('500m').add(quantity('1.5')).asApproximateFloat()", "2.0"},
    Case{"quantity('2').sub(3).sign()", "-1"},
    Case{"quantity('1Mi').add(1).asInteger()", "1048577"},
    Case{"isQuantity('100Mi') && !isQuantity('100MB') && !isQuantity('')", "true"},
    Case{"quantity('abc')", "error: quantities must match"},
    Case{"string(quantity('500m'))", "\"500m\""}));

INSTANTIATE_TEST_SUITE_P(Regex, K8sTest, ::testing::Values(
    Case{"'image:v1.2.3'.find('[0-9]+\\\\.[0-9]+')", "\"1.2\""},
    Case{"'abc'.find('[0-9]+')", "\"\""},
    Case{"'a1b22c333'.findAll('[0-9]+')", "[\"1\", \"22\", \"333\"]"},
    Case{"'a1b22c333'.findAll('[0-9]+', 2)", "[\"1\", \"22\"]"},
    Case{"'abc'.find('(')", "error: compile: invalid regular expression"}));

INSTANTIATE_TEST_SUITE_P(Lists, K8sTest, ::testing::Values(
    Case{"[1, 2, 3].isSorted() && !['b', 'a'].isSorted()", "true"},
    Case{"[1, 2, 3].sum()", "6"},
    Case{"[1.5, 2.5].sum()", "4.0"},
    Case{"[].sum()", "0"},
    Case{"[3, 1, 2].min()", "1"},
    Case{"[3, 1, 2].max()", "3"},
    Case{"[].max()", "error: empty list"},
    Case{"[1, 2, 3, 2].indexOf(2)", "1"},
    Case{"[1, 2, 3, 2].lastIndexOf(2)", "3"},
    Case{"[1, 2].indexOf(5)", "-1"},
    Case{"[duration('1s'), duration('2s')].sum()", "duration(\"3s\")"}));

INSTANTIATE_TEST_SUITE_P(Url, K8sTest, ::testing::Values(
    Case{"url('https://user@example.com:8443/a/b?x=1&x=2&y=z').getScheme()", "\"https\""},
    Case{"url('https://example.com:8443/a/b').getHost()", "\"example.com:8443\""},
    Case{"url('https://example.com:8443/a/b').getHostname()", "\"example.com\""},
    Case{"url('https://example.com:8443/a/b').getPort()", "\"8443\""},
    Case{"url('https://[::1]:80/').getHostname()", "\"::1\""},
    Case{"url('https://example.com/a%20b').getEscapedPath()", "\"/a%20b\""},
    Case{"url('https://example.com/?x=1&x=2&y=a+b').getQuery()", "{\"x\": [\"1\", \"2\"], \"y\": [\"a b\"]}"},
    Case{"url('/relative/path').getEscapedPath()", "\"/relative/path\""},
    Case{"isURL('https://example.com') && !isURL('not a url') && !isURL('relative')", "true"},
    Case{"url('::')", "error: URL parse error"}));

INSTANTIATE_TEST_SUITE_P(Net, K8sTest, ::testing::Values(
    Case{"ip('10.0.0.1').family()", "4"},
    Case{"ip('2001:db8::1').family()", "6"},
    Case{"ip('127.0.0.1').isLoopback() && ip('::1').isLoopback()", "true"},
    Case{"ip('0.0.0.0').isUnspecified()", "true"},
    Case{"ip('8.8.8.8').isGlobalUnicast() && !ip('127.0.0.1').isGlobalUnicast()", "true"},
    Case{"ip('169.254.1.1').isLinkLocalUnicast()", "true"},
    Case{"isIP('1.2.3.4') && !isIP('1.2.3') && !isIP('::ffff:1.2.3.4')", "true"},
    Case{"cidr('10.0.0.0/8').containsIP(ip('10.1.2.3'))", "true"},
    Case{"cidr('10.0.0.0/8').containsIP('11.1.2.3')", "false"},
    Case{"cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')", "true"},
    Case{"cidr('10.0.0.0/16').containsCIDR(cidr('10.0.0.0/8'))", "false"},
    Case{"cidr('10.1.2.3/8').prefixLength()", "8"},
    Case{"string(cidr('10.1.2.3/8').masked())", "\"10.0.0.0/8\""},
    Case{"string(cidr('10.1.2.3/8').ip())", "\"10.1.2.3\""},
    Case{"ip('10.0.0.1') == ip('10.0.0.1') && ip('10.0.0.1') != ip('10.0.0.2')", "true"},
    Case{"isCIDR('10.0.0.0/33')", "false"},
    Case{"ip('x')", "error: parse error"}));

}  // namespace
}  // namespace aimsgate::cel
