#pragma once
// The config file and a config push described for tools (JSON Schema, draft
// 2020-12, generated from the one table of keys in settings.cpp), and the
// local file checked with each problem placed on its line.

#include <string>
#include <string_view>
#include <vector>

namespace edgestock::config {

// The JSON Schema of the terminal's own file.
std::string settings_schema();
// The JSON Schema of a config push document (its settings: the keys that may
// be pushed, none required).
std::string push_schema();

struct FileProblem {
  std::string path;  // JSON path: "$.mqtt.window" ("$" for the document itself)
  int line = 0;      // 1-based; 0 when it has no place in the file
  std::string message;
};
// Every problem of a config file's text, each with its path and line.
std::vector<FileProblem> check_settings_text(std::string_view text);

// The 1-based line on which the member at `dotted_path` ("mqtt.window")
// starts, or of its nearest enclosing member that is present; 0 if none is.
int line_of_member(std::string_view json_text, std::string_view dotted_path);

}  // namespace edgestock::config
