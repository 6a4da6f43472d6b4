/* The cidr operator: parsing "address/bits" with event-ruler's messages and
 * testing an event's address string against the block. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "pattern/pattern_int.h"

int aev__pm_ip_parse(const char *s, size_t len, unsigned char ip[16]) {
  char buf[64];
  if (len >= sizeof buf) return 0;
  memcpy(buf, s, len);
  buf[len] = 0;
  memset(ip, 0, 16);
  if (memchr(buf, ':', len)) return inet_pton(AF_INET6, buf, ip) == 1 ? 6 : 0;
  return inet_pton(AF_INET, buf, ip) == 1 ? 4 : 0;
}

static int reason(const char *msg, const char *arg, size_t n) {
  return aev__fail(AEV_ERR_INVALID, "InvalidEventPatternException", "%s%.*s", msg,
                   (int)n, arg);
}

int aev__pm_cidr_parse(const char *s, size_t len, pm_matcher *m) {
  const char *slash = memchr(s, '/', len);
  if (!slash || memchr(slash + 1, '/', len - (size_t)(slash + 1 - s)))
    return reason("Malformed CIDR, one '/' required", "", 0);
  size_t alen = (size_t)(slash - s), blen = len - alen - 1;
  int bits = 0;
  if (blen == 0 || blen > 3) return reason("Malformed CIDR, mask bits must be an integer", "", 0);
  for (size_t i = 0; i < blen; i++) {
    if (slash[1 + i] < '0' || slash[1 + i] > '9')
      return reason("Malformed CIDR, mask bits must be an integer", "", 0);
    bits = bits * 10 + (slash[1 + i] - '0');
  }
  m->kind = PM_CIDR;
  m->family = aev__pm_ip_parse(s, alen, m->ip);
  if (!m->family) return reason("Nonstandard IP address: ", s, alen);
  if (bits > (m->family == 4 ? 32 : 128))
    return reason(m->family == 4 ? "Malformed CIDR, mask bits must be between 0 and 32"
                                 : "Malformed CIDR, mask bits must be between 0 and 128",
                  "", 0);
  m->bits = bits;
  return AEV_OK;
}

size_t aev__pm_cidr_key(int family, int bits, const unsigned char ip[16], unsigned char key[18]) {
  size_t full = (size_t)bits / 8, rest = (size_t)bits % 8;
  key[0] = (unsigned char)family;
  key[1] = (unsigned char)bits;
  memcpy(key + 2, ip, full);
  if (rest) key[2 + full] = (unsigned char)(ip[full] & (0xff << (8 - rest)));
  return 2 + full + (rest != 0);
}

int aev__pm_cidr_test(const pm_matcher *m, const char *s, size_t len) {
  unsigned char ip[16];
  if (aev__pm_ip_parse(s, len, ip) != m->family) return 0;
  int full = m->bits / 8, rest = m->bits % 8;
  if (memcmp(ip, m->ip, (size_t)full)) return 0;
  if (!rest) return 1;
  unsigned char mask = (unsigned char)(0xff << (8 - rest));
  return (ip[full] & mask) == (m->ip[full] & mask);
}
