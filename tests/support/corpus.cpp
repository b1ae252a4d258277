#include "support/corpus.hpp"

#include <cstdlib>
#include <system_error>

namespace rsconform::test_support {

namespace fs = std::filesystem;

fs::path configured_corpus_dir() {
  const char* from_environment = std::getenv("RSCONFORM_CORPUS_DIR");
  if (from_environment != nullptr && *from_environment != '\0') return fs::path(from_environment);
  return fs::path(RSCONFORM_SUPPORT_CORPUS_DIR);
}

std::optional<fs::path> corpus_dir() {
  fs::path dir = configured_corpus_dir();
  std::error_code error;
  if (!fs::is_directory(dir, error)) return std::nullopt;
  return dir;
}

std::string corpus_file(std::string_view relative) {
  return (configured_corpus_dir() / relative).string();
}

std::string corpus_missing_message() {
  return "public corpus not found at " + configured_corpus_dir().string() +
         " (set RSCONFORM_CORPUS_DIR)";
}

fs::path recorded_dir() {
  return fs::path(RSCONFORM_SUPPORT_SOURCE_DIR) / "captures" / "recorded";
}

std::string recorded_file(std::string_view relative) {
  return (recorded_dir() / relative).string();
}

}  // namespace rsconform::test_support
