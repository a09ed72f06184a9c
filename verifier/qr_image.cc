#include "verifier/qr_image.h"

#include <cctype>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>
#include <png.h>
#include <zbar.h>

#include "crypto/encoding.h"

namespace certledger::verifier {
namespace {

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

// An 8-bit grey image, one byte per pixel, rows without padding.
struct GreyImage {
  unsigned width = 0;
  unsigned height = 0;
  std::vector<unsigned char> pixels;
};

Status BadImage(const std::string& why) {
  return Status::InvalidArgument(kQrBadImage, "cannot read the image: " + why);
}

Status TooLarge(std::uint64_t w, std::uint64_t h) {
  return Status::InvalidArgument(kQrTooLarge, "the image is too large (" + std::to_string(w) +
                                                  " x " + std::to_string(h) + " pixels)");
}

bool IsPng(std::string_view b) {
  return b.size() >= sizeof kPngSignature &&
         std::memcmp(b.data(), kPngSignature, sizeof kPngSignature) == 0;
}

bool IsJpeg(std::string_view b) {
  return b.size() >= 3 && static_cast<unsigned char>(b[0]) == 0xFF &&
         static_cast<unsigned char>(b[1]) == 0xD8 && static_cast<unsigned char>(b[2]) == 0xFF;
}

// libpng's simplified API (png.h "Simplified API"): any PNG to 8-bit sRGB
// grey, transparency composited onto white (a QR code's quiet zone).
Result<GreyImage> DecodePng(std::string_view bytes, std::uint64_t max_pixels) {
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&img, bytes.data(), bytes.size())) {
    std::string why = img.message;
    png_image_free(&img);
    return BadImage("PNG: " + why);
  }
  if (img.width == 0 || img.height == 0 ||
      static_cast<std::uint64_t>(img.width) * img.height > max_pixels) {
    png_image_free(&img);
    return TooLarge(img.width, img.height);
  }
  img.format = PNG_FORMAT_GRAY;
  GreyImage out;
  out.width = img.width;
  out.height = img.height;
  out.pixels.resize(PNG_IMAGE_SIZE(img));
  png_color white = {255, 255, 255};
  if (!png_image_finish_read(&img, &white, out.pixels.data(), 0, nullptr)) {
    std::string why = img.message;
    png_image_free(&img);
    return BadImage("PNG: " + why);
  }
  png_image_free(&img);
  return out;
}

// libjpeg reports fatal errors through error_exit, which must not return:
// it longjmps back to DecodeJpeg (libjpeg's example.c "setjmp" pattern).
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void OnJpegError(j_common_ptr cinfo) {
  auto* e = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, e->message);
  std::longjmp(e->jump, 1);
}

void OnJpegMessage(j_common_ptr) {}  // warnings: not printed

// Objects with destructors live only outside the setjmp/longjmp span: `out`
// is created before setjmp and only its buffer is written after it.
Status DecodeJpegInto(std::string_view bytes, std::uint64_t max_pixels, GreyImage* out) {
  jpeg_decompress_struct cinfo;
  JpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = OnJpegError;
  err.mgr.output_message = OnJpegMessage;
  err.message[0] = '\0';
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return BadImage(std::string("JPEG: ") + err.message);
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<unsigned char*>(const_cast<char*>(bytes.data())),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  std::uint64_t w = cinfo.image_width, h = cinfo.image_height;
  if (w == 0 || h == 0 || w * h > max_pixels) {
    jpeg_destroy_decompress(&cinfo);
    return TooLarge(w, h);
  }
  cinfo.out_color_space = JCS_GRAYSCALE;
  jpeg_start_decompress(&cinfo);
  out->width = cinfo.output_width;
  out->height = cinfo.output_height;
  out->pixels.resize(static_cast<std::size_t>(out->width) * out->height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row =
        out->pixels.data() + static_cast<std::size_t>(cinfo.output_scanline) * out->width;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return Status::Ok();
}

// Under C++, zbar.h declares its C API inside namespace zbar.
using namespace zbar;  // NOLINT(build/namespaces)

struct ZbarScannerDeleter {
  void operator()(zbar_image_scanner_t* s) const { zbar_image_scanner_destroy(s); }
};
struct ZbarImageDeleter {
  void operator()(zbar_image_t* i) const { zbar_image_destroy(i); }
};

// zbar scans raw frames only: "Y800" is 8-bit grey (zbar.h zbar_image_set_format).
std::vector<std::string> ScanQr(const GreyImage& image) {
  std::unique_ptr<zbar_image_scanner_t, ZbarScannerDeleter> scanner(zbar_image_scanner_create());
  zbar_image_scanner_set_config(scanner.get(), ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
  zbar_image_scanner_set_config(scanner.get(), ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
  std::unique_ptr<zbar_image_t, ZbarImageDeleter> zimg(zbar_image_create());
  zbar_image_set_format(zimg.get(), zbar_fourcc('Y', '8', '0', '0'));
  zbar_image_set_size(zimg.get(), image.width, image.height);
  // zbar does not write to or free the data (no cleanup handler).
  zbar_image_set_data(zimg.get(), image.pixels.data(), image.pixels.size(), nullptr);
  std::vector<std::string> found;
  if (zbar_scan_image(scanner.get(), zimg.get()) <= 0) return found;
  for (const zbar_symbol_t* s = zbar_image_first_symbol(zimg.get()); s; s = zbar_symbol_next(s)) {
    if (zbar_symbol_get_type(s) != ZBAR_QRCODE) continue;
    found.emplace_back(zbar_symbol_get_data(s), zbar_symbol_get_data_length(s));
  }
  return found;
}

}  // namespace

bool IsQrImage(std::string_view bytes) { return IsPng(bytes) || IsJpeg(bytes); }

Result<std::vector<std::string>> DecodeQrImage(std::string_view bytes,
                                               const QrImageOptions& options) {
  GreyImage image;
  if (IsPng(bytes)) {
    CERTLEDGER_ASSIGN_OR_RETURN(image, DecodePng(bytes, options.max_pixels));
  } else if (IsJpeg(bytes)) {
    CERTLEDGER_RETURN_IF_ERROR(DecodeJpegInto(bytes, options.max_pixels, &image));
  } else {
    return BadImage("not a PNG or JPEG image");
  }
  std::vector<std::string> found = ScanQr(image);
  if (found.empty()) {
    return Status::InvalidArgument(kQrNotFound, "no QR code was found in the image (" +
                                                    std::to_string(image.width) + " x " +
                                                    std::to_string(image.height) + " pixels)");
  }
  return found;
}

Result<std::string> ParseCertificateUrl(std::string_view text) {
  auto bad = [&] {
    const std::string shown = crypto::Excerpt(text, 200);
    return Status::InvalidArgument(
        kQrNotCertificate,
        "the QR code is not a certificate URL <base>/v/<code>: \"" + shown + "\"");
  };
  std::size_t scheme_end = 0;
  if (text.rfind("https://", 0) == 0) {
    scheme_end = 8;
  } else if (text.rfind("http://", 0) == 0) {
    scheme_end = 7;
  } else {
    return bad();
  }
  std::size_t host_end = text.find('/', scheme_end);
  if (host_end == scheme_end || host_end == std::string_view::npos) return bad();
  for (std::size_t i = scheme_end; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#' || c == '@' || c == '\\') return bad();
  }
  std::size_t v = text.rfind("/v/");
  if (v == std::string_view::npos || v < host_end) return bad();
  std::string_view code = text.substr(v + 3);
  if (code.size() < 8 || code.size() > 40) return bad();
  for (char c : code) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return bad();
  }
  return std::string(text);
}

Result<std::string> CertificateUrlFromImage(std::string_view bytes, const QrImageOptions& options) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::vector<std::string> found, DecodeQrImage(bytes, options));
  Status first;
  for (const std::string& text : found) {
    auto url = ParseCertificateUrl(text);
    if (url.ok()) return url;
    if (first.ok()) first = url.status();
  }
  return first;
}

}  // namespace certledger::verifier
