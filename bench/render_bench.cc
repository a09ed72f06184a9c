// Certificate PDFs per second in-process (libharu, render/pdf.h) next to the same
// certificate printed to PDF by a long-lived headless Chromium (Debian's
// `chromium`), driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: NUL-terminated JSON on fds 3 and 4): one browser,
// one tab, Page.setDocumentContent with the certificate's public page, then
// Page.printToPDF, per document. Rounds alternate between the two so both see
// the same machine load. Also times one per-process `chromium --print-to-pdf`.
//
// Run: build/bench/render_bench [--n 300] [--chromium-n 30] [--rounds 3]
// Prints ms/PDF (wall and CPU), KB/PDF, and the ratios. Not a timed test.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "render/html.h"
#include "render/pdf.h"
#include "tests/render/sample_views.h"

namespace certledger {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kChromium = "/usr/bin/chromium";

double CpuMs() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// A signed credential and receipt of realistic size for the attachments.
render::PdfAttachments SampleAttachments() {
  std::string proof(88, 'z');
  std::string credential =
      "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\",\"https://purl.imsglobal.org/spec/"
      "ob/v3p0/context-3.0.3.json\",\"https://cert.example.ru/contexts/v1.json\"],\"id\":\"https://"
      "cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5\",\"type\":[\"VerifiableCredential\","
      "\"OpenBadgeCredential\"],\"name\":\"Удостоверение о повышении квалификации\",";
  credential += "\"credentialSubject\":{\"achievement\":{\"learningOutcomes\":[";
  for (int i = 0; i < 6; ++i) {
    credential += "\"Готовит и очищает табличные данные с помощью pandas, строит модели\",";
  }
  credential += "\"...\"]}},\"proof\":{\"proofValue\":\"" + proof + "\"}}";
  std::string receipt =
      "{\"type\":\"LedgerReceipt\",\"origin\":\"cert.example.ru/ledger\","
      "\"index\":123456,\"inclusionProof\":[";
  for (int i = 0; i < 17; ++i) receipt += "\"qJm3Jm0Q9bUpwJx3v3Jx0m1Yq3h9p0yZb4A1l2c3d4E=\",";
  receipt += "\"x\"],\"checkpoint\":\"cert.example.ru/ledger\\n123460\\n...\\n\"}";
  return {credential, receipt};
}

// Headless Chromium on a DevTools pipe.
class Chromium {
 public:
  static std::optional<Chromium> Start(const std::string& profile_dir) {
    int to_browser[2], from_browser[2];
    if (pipe(to_browser) != 0 || pipe(from_browser) != 0) return std::nullopt;
    pid_t pid = fork();
    if (pid < 0) return std::nullopt;
    if (pid == 0) {
      // fds 3 (commands in) and 4 (responses out), as --remote-debugging-pipe expects.
      int in = fcntl(to_browser[0], F_DUPFD, 10), out = fcntl(from_browser[1], F_DUPFD, 10);
      dup2(in, 3);
      dup2(out, 4);
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
      for (int fd = 5; fd < 64; ++fd) close(fd);
      std::string user = "--user-data-dir=" + profile_dir;
      execl(kChromium, kChromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--remote-debugging-pipe", user.c_str(), "about:blank",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_browser[0]);
    close(from_browser[1]);
    Chromium c;
    c.pid_ = pid;
    c.in_ = to_browser[1];
    c.out_ = from_browser[0];
    return c;
  }

  Chromium(Chromium&& o) noexcept { *this = std::move(o); }
  Chromium& operator=(Chromium&& o) noexcept {
    std::swap(pid_, o.pid_);
    std::swap(in_, o.in_);
    std::swap(out_, o.out_);
    std::swap(buf_, o.buf_);
    std::swap(next_id_, o.next_id_);
    return *this;
  }
  ~Chromium() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (in_ >= 0) close(in_);
    if (out_ >= 0) close(out_);
  }

  // Sends a command and waits (up to 30 s) for its response's "result".
  std::optional<nlohmann::json> Call(const std::string& method, nlohmann::json params,
                                     const std::string& session = "") {
    nlohmann::json msg = {{"id", ++next_id_}, {"method", method}, {"params", std::move(params)}};
    if (!session.empty()) msg["sessionId"] = session;
    std::string data = msg.dump();
    data.push_back('\0');
    for (size_t off = 0; off < data.size();) {
      ssize_t n = write(in_, data.data() + off, data.size() - off);
      if (n <= 0) return std::nullopt;
      off += size_t(n);
    }
    const int id = next_id_;
    auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
      size_t nul = buf_.find('\0');
      if (nul == std::string::npos) {
        pollfd p{out_, POLLIN, 0};
        if (poll(&p, 1, 1000) <= 0) continue;
        char chunk[65536];
        ssize_t n = read(out_, chunk, sizeof chunk);
        if (n <= 0) return std::nullopt;
        buf_.append(chunk, size_t(n));
        continue;
      }
      std::string one = buf_.substr(0, nul);
      buf_.erase(0, nul + 1);
      auto reply = nlohmann::json::parse(one, nullptr, /*allow_exceptions=*/false);
      if (reply.is_discarded() || !reply.contains("id") || reply["id"] != id) continue;
      if (reply.contains("error")) {
        std::fprintf(stderr, "chromium: %s failed: %s\n", method.c_str(),
                     reply["error"].dump().c_str());
        return std::nullopt;
      }
      return reply["result"];
    }
    return std::nullopt;
  }

 private:
  Chromium() = default;
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buf_;
  int next_id_ = 0;
};

struct Round {
  double wall_ms = 0, cpu_ms = 0, kb = 0;
};

int Main(int argc, char** argv) {
  int n = 300, chromium_n = 30, rounds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (flag == "--n") n = v;
    if (flag == "--chromium-n") chromium_n = v;
    if (flag == "--rounds") rounds = v;
  }
  auto fonts = render::FontSet::LoadDefault();
  if (!fonts.ok()) {
    std::fprintf(stderr, "render_bench: %s\n", fonts.status().ToString().c_str());
    return 1;
  }
  render::PdfOptions options;
  options.fonts = *fonts;
  const auto view = testing::SampleCertificate();
  const auto attachments = SampleAttachments();
  const std::string page =
      render::RenderPublicPage(testing::SamplePage(registry::model::CertificateState::kValid));

  auto libharu_round = [&]() -> Round {
    Round r;
    size_t bytes = 0;
    double cpu0 = CpuMs();
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
      auto pdf = render::RenderCertificatePdf(view, attachments, options);
      if (!pdf.ok()) {
        std::fprintf(stderr, "render_bench: %s\n", pdf.status().ToString().c_str());
        std::exit(1);
      }
      bytes += pdf->size();
    }
    r.wall_ms = Ms(Clock::now() - t0) / n;
    r.cpu_ms = (CpuMs() - cpu0) / n;
    r.kb = bytes / 1024.0 / n;
    return r;
  };
  libharu_round();  // warm-up

  // Chromium, long-lived.
  const bool have_chromium = std::filesystem::exists(kChromium);
  std::optional<Chromium> browser;
  std::string session, frame;
  std::filesystem::path profile =
      std::filesystem::temp_directory_path() / ("render_bench." + std::to_string(getpid()));
  if (have_chromium) {
    browser = Chromium::Start(profile.string());
    std::optional<nlohmann::json> target, attach, tree;
    if (browser) target = browser->Call("Target.createTarget", {{"url", "about:blank"}});
    if (target) {
      attach = browser->Call("Target.attachToTarget",
                             {{"targetId", (*target)["targetId"]}, {"flatten", true}});
    }
    if (attach) {
      session = (*attach)["sessionId"];
      tree = browser->Call("Page.getFrameTree", nlohmann::json::object(), session);
    }
    if (tree) frame = (*tree)["frameTree"]["frame"]["id"];
    if (frame.empty()) {
      std::fprintf(stderr, "render_bench: could not drive chromium over --remote-debugging-pipe\n");
      browser.reset();
    }
  }
  auto chromium_round = [&]() -> Round {
    Round r;
    size_t bytes = 0;
    double cpu0 = CpuMs();
    auto t0 = Clock::now();
    for (int i = 0; i < chromium_n; ++i) {
      auto set =
          browser->Call("Page.setDocumentContent", {{"frameId", frame}, {"html", page}}, session);
      auto pdf =
          set ? browser->Call(
                    "Page.printToPDF",
                    {{"printBackground", true}, {"paperWidth", 8.27}, {"paperHeight", 11.69}},
                    session)
              : std::nullopt;
      if (!pdf) {
        std::fprintf(stderr, "render_bench: Page.printToPDF failed\n");
        std::exit(1);
      }
      auto raw = crypto::Base64Decode((*pdf)["data"].get<std::string>());
      bytes += raw.ok() ? raw->size() : 0;
    }
    r.wall_ms = Ms(Clock::now() - t0) / chromium_n;
    r.cpu_ms = (CpuMs() - cpu0) / chromium_n;  // this process only: the browser's is not counted
    r.kb = bytes / 1024.0 / chromium_n;
    return r;
  };
  if (browser) chromium_round();  // warm-up (first layout, font cache)

  std::vector<double> haru_wall, haru_cpu, haru_kb, chrome_wall, chrome_kb;
  for (int r = 0; r < rounds; ++r) {
    Round h = libharu_round();
    haru_wall.push_back(h.wall_ms);
    haru_cpu.push_back(h.cpu_ms);
    haru_kb.push_back(h.kb);
    if (browser) {
      Round c = chromium_round();
      chrome_wall.push_back(c.wall_ms);
      chrome_kb.push_back(c.kb);
    }
  }
  browser.reset();

  std::printf("render_bench: one A4 certificate (2 subset fonts, QR, 2 attachments), %d rounds\n",
              rounds);
  const double hw = Median(haru_wall);
  std::printf(
      "  libharu in-process     : %7.3f ms/PDF wall (%.3f ms CPU), %6.1f KB/PDF, %6.0f PDF/s"
      "  [median of %d x %d]\n",
      hw, Median(haru_cpu), Median(haru_kb), 1000.0 / hw, rounds, n);
  if (!chrome_wall.empty()) {
    const double cw = Median(chrome_wall);
    std::printf(
        "  chromium long-lived    : %7.3f ms/PDF wall, %6.1f KB/PDF, %6.1f PDF/s"
        "  [DevTools pipe, Page.printToPDF of the public page, median of %d x %d]\n",
        cw, Median(chrome_kb), 1000.0 / cw, rounds, chromium_n);
    std::printf("  ratio                  : libharu is %.1fx faster and %.1fx smaller\n", cw / hw,
                Median(chrome_kb) / Median(haru_kb));
  } else {
    std::printf("  chromium               : not measured (%s)\n",
                have_chromium ? "DevTools pipe failed" : "/usr/bin/chromium not installed");
  }
  // One cold per-process print, for reference (what a naive integration pays).
  if (have_chromium) {
    std::filesystem::path html = profile.string() + ".html", out = profile.string() + ".pdf";
    FILE* f = std::fopen(html.c_str(), "w");
    if (f) {
      std::fwrite(page.data(), 1, page.size(), f);
      std::fclose(f);
      std::string cmd = std::string(kChromium) +
                        " --headless --no-sandbox --disable-gpu --disable-background-networking"
                        " --disable-component-update --disable-sync --no-first-run"
                        " --user-data-dir=" +
                        profile.string() +
                        ".cold --no-pdf-header-footer"
                        " --print-to-pdf=" +
                        out.string() + " file://" + html.string() + " >/dev/null 2>&1";
      auto t0 = Clock::now();
      int rc = std::system(cmd.c_str());
      double ms = Ms(Clock::now() - t0);
      if (rc == 0 && std::filesystem::exists(out)) {
        std::printf(
            "  chromium per process   : %7.1f ms/PDF (one cold `chromium --print-to-pdf`), "
            "%.1f KB, ratio %.0fx\n",
            ms, std::filesystem::file_size(out) / 1024.0, ms / hw);
      }
      std::error_code ec;
      std::filesystem::remove(html, ec);
      std::filesystem::remove(out, ec);
      std::filesystem::remove_all(profile.string() + ".cold", ec);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(profile, ec);
  return 0;
}

}  // namespace
}  // namespace certledger

int main(int argc, char** argv) { return certledger::Main(argc, argv); }
