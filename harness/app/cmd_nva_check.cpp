// `rsconform nva-check --peer ADDR:ASN --prefix P...`: the NVA conformance pack (suites/nva)
// made concrete for the vendor's NVA (nva/pack.hpp), run through `run` against the built-in
// route server with the NVA as the real peer nva1, and the interoperability sheet
// (nva/sheet.hpp) written as Markdown and HTML. docs/nva-check.md.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "app/command.hpp"
#include "app/run_command.hpp"
#include "check/suite.hpp"
#include "json/document.hpp"
#include "nva/pack.hpp"
#include "nva/sheet.hpp"
#include "wire/types.hpp"

namespace rsconform::app {
namespace {

namespace fs = std::filesystem;

struct NvaCheckFlags {
  std::string peer;  // ADDR:ASN
  std::vector<std::string> prefixes;
  std::vector<std::string> listens;
  std::string pack = "suites/nva";
  std::string out = "runs/nva-check";
  std::string markdown;
  std::string html;
  std::string junit;
  double peer_wait_s = 30;
  std::string interface;
  std::string only;
};

// "192.0.2.10:65010" -> the NVA's address and ASN; prints the problem and returns nullopt.
std::optional<nva::NvaParams> parse_nva(const NvaCheckFlags& flags) {
  nva::NvaParams params;
  const auto colon = flags.peer.rfind(':');
  const auto address =
      wire::IpAddress::parse(colon == std::string::npos ? "" : flags.peer.substr(0, colon));
  const std::string asn_text = colon == std::string::npos ? "" : flags.peer.substr(colon + 1);
  std::uint64_t asn = 0;
  bool asn_ok = !asn_text.empty() && asn_text.size() <= 10;
  for (char c : asn_text) {
    asn_ok &= c >= '0' && c <= '9';
    if (asn_ok) asn = asn * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (!address || !address->is_v4() || !asn_ok || asn == 0 || asn > 0xffffffffULL) {
    std::cerr << "rsconform nva-check: --peer expects ADDR:ASN (an IPv4 address and an AS number "
                 "1..4294967295), got '"
              << flags.peer << "'\n";
    return std::nullopt;
  }
  params.address = address->to_string();
  params.asn = static_cast<std::uint32_t>(asn);
  for (const auto& text : flags.prefixes) {
    const auto prefix = wire::Prefix::parse(text);
    if (!prefix) {
      std::cerr << "rsconform nva-check: --prefix expects a prefix such as 10.20.0.0/16, got '"
                << text << "'\n";
      return std::nullopt;
    }
    params.prefixes.push_back(prefix->to_string());
  }
  return params;
}

bool write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "rsconform nva-check: cannot write " << path.string() << "\n";
    return false;
  }
  return true;
}

// The pack's suites made concrete into `dir` (emptied of earlier ones first); the ones left out
// go to `notes`. Prints the problem and returns false.
bool write_suites(const NvaCheckFlags& flags, const nva::NvaParams& nva, const fs::path& dir,
                  std::vector<std::string>& notes) {
  try {
    std::error_code ec;
    fs::create_directories(dir, ec);
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().extension() == ".json") fs::remove(entry.path());
    std::size_t written = 0;
    for (const auto& file : check::find_suite_files({flags.pack})) {
      check::load_suite_file(file);  // the pack as it stands must be valid
      std::ifstream in(file);
      const auto made = nva::instantiate(nlohmann::json::parse(in), nva);
      if (!made.suite) {
        notes.push_back(made.left_out);
        continue;
      }
      const fs::path concrete = dir / fs::path(file).filename();
      if (!write_text(concrete, made.suite->dump(2) + "\n")) return false;
      check::load_suite_file(concrete.string());  // and so must what was made of it
      ++written;
    }
    if (written == 0) {
      std::cerr << "rsconform nva-check: --pack " << flags.pack << ": no suite to run\n";
      return false;
    }
  } catch (const std::exception& e) {
    std::cerr << "rsconform nva-check: " << e.what() << "\n";
    return false;
  }
  return true;
}

ExitCode nva_check(const NvaCheckFlags& flags) {
  const auto nva = parse_nva(flags);
  if (!nva) return ExitCode::usage;
  const fs::path out(flags.out);
  std::vector<std::string> notes;
  if (!write_suites(flags, *nva, out / "suites", notes)) return ExitCode::usage;

  RunFlags run;
  run.paths = {(out / "suites").string()};
  run.out = (out / "run").string();
  run.json = (out / "run" / "report.json").string();
  run.junit = flags.junit;
  run.filter = flags.only;
  run.peers = {std::string(nva::kPackPeer) + "=external:" + std::to_string(nva->asn) + "@" +
               nva->address};
  run.listens = flags.listens;
  run.peer_wait_s = flags.peer_wait_s;
  run.interface = flags.interface;
  std::vector<check::CellResult> results;
  const ExitCode ran = run_suites(run, &results);
  // Usage errors and signals end it as they end run; failures are the sheet's to tell.
  if (ran != ExitCode::pass && ran != ExitCode::failed && ran != ExitCode::inconclusive) return ran;

  nva::SheetOptions options;
  options.notes = notes;
  const nva::Sheet sheet = nva::build_sheet(results, options);
  const std::string markdown = nva::sheet_markdown(sheet);
  const std::string html = nva::sheet_html(sheet);
  std::cout << "\n" << markdown;
  bool ok = write_text(out / "sheet.md", markdown) && write_text(out / "sheet.html", html);
  if (!flags.markdown.empty()) ok &= write_text(flags.markdown, markdown);
  if (!flags.html.empty()) ok &= write_text(flags.html, html);
  if (!ok) return ExitCode::usage;
  std::cout << "\nsheet: " << (out / "sheet.md").string() << ", " << (out / "sheet.html").string()
            << "\n";
  return static_cast<ExitCode>(nva::exit_code(sheet));
}

}  // namespace

CommandRunner add_nva_check_command(CLI::App& parent) {
  auto flags = std::make_shared<NvaCheckFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "nva-check",
      "Check a real NVA against the NVA conformance pack (suites/nva) with the built-in route "
      "server and write its interoperability sheet");
  cmd->add_option("--peer", flags->peer,
                  "ADDR:ASN: the NVA's session address and AS number; configure it to peer "
                  "with the --listen addresses, AS 65515")
      ->required();
  cmd->add_option("--prefix", flags->prefixes,
                  "a prefix the NVA announces (repeatable; two or more for the prefix-limit "
                  "check)")
      ->required();
  cmd->add_option("--listen", flags->listens,
                  "RS=ADDR: where route-server instance rs0 / rs1 listens (default 127.65.0.4, "
                  "127.65.0.5)");
  cmd->add_option("--pack", flags->pack, "the pack's folder (default suites/nva)");
  cmd->add_option("--out", flags->out,
                  "folder: suites/ (the concrete suites, rerun them with rsconform run), run/ "
                  "(run's directory), sheet.md, sheet.html (default runs/nva-check)");
  cmd->add_option("--markdown", flags->markdown, "also write the sheet as Markdown here");
  cmd->add_option("--html", flags->html, "also write the sheet as HTML here");
  cmd->add_option("--junit", flags->junit,
                  "write run's JUnit XML report here (a warning case that does not hold is a "
                  "<failure> there)");
  cmd->add_option("--peer-wait", flags->peer_wait_s,
                  "seconds to wait for the NVA's sessions to both instances (default 30)")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--interface", flags->interface,
                  "capture on this interface (default: the one holding the --listen addresses)");
  cmd->add_option("--only", flags->only, "only the pack's suites whose name matches this glob");
  cmd->footer(
      "Exit codes: 0 every check passed (warnings allowed), 1 a check failed, 2 usage or input "
      "error, 3 inconclusive, 130/143 interrupted.");
  return [flags] { return nva_check(*flags); };
}

}  // namespace rsconform::app
