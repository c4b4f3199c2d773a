#include "agent/mqtt/mqtt_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/testing/temp_dir.h"

namespace wattline::agent {
namespace {

Result<std::optional<MqttOptions>> Read(const std::string& yaml) {
  Result<ConfigNode> root = ParseYamlConfig(yaml, "agent.yaml");
  if (!root.ok()) return root.status();
  return ReadMqttConfig(root->Find("mqtt"));
}

void WriteFile(const std::string& path, const std::string& contents, mode_t mode) {
  std::ofstream(path) << contents;
  ::chmod(path.c_str(), mode);
}

TEST(MqttConfig, NoSectionMeansNoBroker) {
  Result<std::optional<MqttOptions>> options = Read("agent:\n  name: x\n");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_FALSE(options->has_value());
}

TEST(MqttConfig, EmptySectionMeansLocalBrokerWithDefaults) {
  Result<std::optional<MqttOptions>> options = Read("mqtt:\n");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  ASSERT_TRUE(options->has_value());
  const MqttOptions& o = **options;
  EXPECT_EQ(o.host, "localhost");
  EXPECT_EQ(o.port, 1883);
  EXPECT_EQ(o.client_id, "");
  EXPECT_FALSE(o.tls);
  EXPECT_EQ(o.keepalive_ms, 30'000);
  EXPECT_EQ(o.reconnect.initial_ms, 1000);
  EXPECT_EQ(o.reconnect.max_ms, 30'000);
}

TEST(MqttConfig, ReadsEveryOption) {
  Result<std::optional<MqttOptions>> options = Read(
      "mqtt:\n"
      "  host: broker.lan\n"
      "  port: 8883\n"
      "  client_id: wattline-cellar\n"
      "  username: wattline\n"
      "  password: pw\n"
      "  tls: true\n"
      "  ca: /etc/ca.pem\n"
      "  cert: /etc/cert.pem\n"
      "  key: /etc/key.pem\n"
      "  keepalive: 1m\n"
      "  reconnect_initial: 500ms\n"
      "  reconnect_max: 2m\n");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  const MqttOptions& o = **options;
  EXPECT_EQ(o.host, "broker.lan");
  EXPECT_EQ(o.port, 8883);
  EXPECT_EQ(o.client_id, "wattline-cellar");
  EXPECT_EQ(o.username, "wattline");
  EXPECT_EQ(o.password, "pw");
  EXPECT_TRUE(o.tls);
  EXPECT_EQ(o.ca_file, "/etc/ca.pem");
  EXPECT_EQ(o.cert_file, "/etc/cert.pem");
  EXPECT_EQ(o.key_file, "/etc/key.pem");
  EXPECT_EQ(o.keepalive_ms, 60'000);
  EXPECT_EQ(o.reconnect.initial_ms, 500);
  EXPECT_EQ(o.reconnect.max_ms, 120'000);
}

TEST(MqttConfig, ErrorsNameTheOptionAndItsPosition) {
  Result<std::optional<MqttOptions>> unknown = Read("mqtt:\n  hots: x\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("agent.yaml:2:"), std::string::npos)
      << unknown.status().ToString();
  EXPECT_NE(unknown.status().message().find("mqtt.hots"), std::string::npos);

  Result<std::optional<MqttOptions>> port = Read("mqtt:\n  host: a\n  port: 70000\n");
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("agent.yaml:3:"), std::string::npos)
      << port.status().ToString();

  Result<std::optional<MqttOptions>> keepalive = Read("mqtt:\n  keepalive: 2s\n");
  ASSERT_FALSE(keepalive.ok());
  EXPECT_NE(keepalive.status().message().find("mqtt.keepalive"), std::string::npos);
  EXPECT_FALSE(Read("mqtt:\n  keepalive: 5500ms\n").ok());
}

TEST(MqttConfig, RefusesInconsistentOptions) {
  EXPECT_FALSE(Read("mqtt:\n  password: pw\n").ok());               // no username
  EXPECT_FALSE(Read("mqtt:\n  tls: true\n  cert: /c.pem\n").ok());  // cert without key
  EXPECT_FALSE(Read("mqtt:\n  ca: /ca.pem\n").ok());                // ca without tls
  EXPECT_FALSE(Read("mqtt:\n  reconnect_initial: 1m\n  reconnect_max: 1s\n").ok());
  EXPECT_FALSE(Read("mqtt:\n  host: \"\"\n").ok());
  EXPECT_FALSE(Read("mqtt:\n  tls: maybe\n").ok());
}

TEST(MqttConfig, PasswordFileGivesTheFirstLine) {
  testing::TempDir dir;
  WriteFile(dir.File("pw"), "s3cret\nignored\n", 0600);
  Result<std::optional<MqttOptions>> options =
      Read("mqtt:\n  username: u\n  password_file: " + dir.File("pw") + "\n");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ((*options)->password, "s3cret");
}

TEST(MqttConfig, PasswordFileReadableByEveryoneIsRefused) {
  testing::TempDir dir;
  WriteFile(dir.File("pw"), "s3cret\n", 0644);
  Result<std::optional<MqttOptions>> options =
      Read("mqtt:\n  username: u\n  password_file: " + dir.File("pw") + "\n");
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(options.status().message().find("agent.yaml:3:"), std::string::npos)
      << options.status().ToString();
}

TEST(MqttConfig, PasswordFileProblemsAreErrors) {
  testing::TempDir dir;
  WriteFile(dir.File("empty"), "\n", 0600);
  EXPECT_FALSE(Read("mqtt:\n  username: u\n  password_file: " + dir.File("empty") + "\n").ok());
  Result<std::optional<MqttOptions>> missing =
      Read("mqtt:\n  username: u\n  password_file: " + dir.File("nope") + "\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  WriteFile(dir.File("pw"), "x\n", 0600);
  EXPECT_FALSE(
      Read("mqtt:\n  username: u\n  password: y\n  password_file: " + dir.File("pw") + "\n").ok());
}

TEST(MqttConfig, ReferenceListsEveryOptionAndReadsBackAsTheDefaults) {
  std::string reference = MqttConfigReference();
  for (const char* key :
       {"host:", "port:", "client_id:", "username:", "password:", "password_file:", "tls:", "ca:",
        "cert:", "key:", "keepalive:", "reconnect_initial:", "reconnect_max:"}) {
    EXPECT_NE(reference.find(std::string("  ") + key), std::string::npos) << key;
  }
  Result<std::optional<MqttOptions>> options = Read(reference);
  ASSERT_TRUE(options.ok()) << options.status().ToString() << "\n" << reference;
  ASSERT_TRUE(options->has_value());
  EXPECT_EQ((*options)->host, MqttOptions().host);
  EXPECT_EQ((*options)->port, MqttOptions().port);
  EXPECT_EQ((*options)->keepalive_ms, MqttOptions().keepalive_ms);
  EXPECT_EQ((*options)->reconnect.max_ms, MqttOptions().reconnect.max_ms);
}

TEST(MqttOptions, DefaultClientIdNamesTheHostAndDiffers) {
  std::string a = DefaultMqttClientId();
  std::string b = DefaultMqttClientId();
  EXPECT_EQ(a.rfind("wattline-", 0), 0u) << a;
  EXPECT_NE(a, b);
  for (char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-') << a;
}

}  // namespace
}  // namespace wattline::agent
