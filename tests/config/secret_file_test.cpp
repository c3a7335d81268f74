#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "edgestock/config/secret_file.hpp"
#include "temp_dir.hpp"

using edgestock::config::read_secret_file;
using edgestock::testing::TempDir;
using edgestock::testing::write_secret;

TEST_CASE("a secret file is read only when it is private, and never shown", "[config][security]") {
  TempDir dir;
  const auto path = dir / "mqtt.pass";

  write_secret(path, "right-horse-battery\r\nsecond line ignored\n");
  CHECK(read_secret_file("mqtt.password_file", path).value() == "right-horse-battery");

  SECTION("readable by group or others: refused with the command that fixes it") {
    for (const mode_t mode : {0640, 0604, 0660, 0644, 0620}) {
      INFO(mode);
      REQUIRE(::chmod(path.c_str(), mode) == 0);
      const auto refused = read_secret_file("mqtt.password_file", path);
      REQUIRE_FALSE(refused);
      CHECK_THAT(refused.error(), Catch::Contains("mqtt.password_file " + path.string()) &&
                                      Catch::Contains("can be read or changed by other users") &&
                                      Catch::Contains("chmod 600 " + path.string()));
      CHECK_THAT(refused.error(), !Catch::Contains("right-horse-battery"));
    }
  }
  SECTION("empty, or only a line break: refused (was accepted by one of two readers)") {
    for (const char* text : {"", "\n", "  \r\n"}) {
      write_secret(path, text);
      const auto refused = read_secret_file("odoo.api_key_file", path);
      REQUIRE_FALSE(refused);
      CHECK_THAT(refused.error(), Catch::Contains("odoo.api_key_file") && Catch::Contains("is empty"));
    }
  }
  SECTION("missing, a folder, or too large") {
    CHECK_THAT(read_secret_file("odoo.api_key_file", dir / "absent").error(),
               Catch::Contains("cannot read odoo.api_key_file") && Catch::Contains("No such file"));
    CHECK_THAT(read_secret_file("odoo.api_key_file", dir.path()).error(), Catch::Contains("not a regular file"));
    write_secret(path, std::string(5000, 'k'));
    CHECK_THAT(read_secret_file("odoo.api_key_file", path).error(), Catch::Contains("larger than 4 KiB"));
    CHECK_THAT(read_secret_file("odoo.api_key_file", "").error(), Catch::Contains("no file given"));
  }
}
