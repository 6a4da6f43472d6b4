/* The data identifiers of SNS message data protection: the managed ones
 * the SNS developer guide lists (all accepted in a policy) and the
 * detectors this library has for some of them, plus custom identifiers'
 * regular expressions. Detected here: EmailAddress, CreditCardNumber,
 * AwsSecretKey and IpAddress (IPv4). Every other managed identifier is
 * accepted but never found. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/status.h"
#include "topic/dpp.h"

typedef int (*detect_fn)(const char *s, size_t len, size_t from, size_t *start, size_t *end);

static int email_at(const char *s, size_t len, size_t from, size_t *start, size_t *end);
static int card_at(const char *s, size_t len, size_t from, size_t *start, size_t *end);
static int secret_key_at(const char *s, size_t len, size_t from, size_t *start, size_t *end);
static int ipv4_at(const char *s, size_t len, size_t from, size_t *start, size_t *end);

/* The managed data identifier IDs of the guide's sensitive data types
 * pages (credentials, devices, financial, PHI, PII), as their ARNs name
 * them, with this library's detector where it has one. */
static const struct {
  const char *name;
  detect_fn fn;
} managed[] = {
    {"Address", NULL}, {"AwsSecretKey", secret_key_at},
    {"BankAccountNumber-DE", NULL}, {"BankAccountNumber-ES", NULL}, {"BankAccountNumber-FR", NULL},
    {"BankAccountNumber-GB", NULL}, {"BankAccountNumber-IT", NULL}, {"BankAccountNumber-US", NULL},
    {"CepCode-BR", NULL}, {"Cnpj-BR", NULL}, {"CpfCode-BR", NULL},
    {"CreditCardExpiration", NULL}, {"CreditCardMagneticStripe", NULL},
    {"CreditCardNumber", card_at}, {"CreditCardSecurityCode", NULL}, {"DateOfBirth", NULL},
    {"DriversLicense-AT", NULL}, {"DriversLicense-AU", NULL}, {"DriversLicense-BE", NULL},
    {"DriversLicense-BG", NULL}, {"DriversLicense-CA", NULL}, {"DriversLicense-CY", NULL},
    {"DriversLicense-CZ", NULL}, {"DriversLicense-DE", NULL}, {"DriversLicense-DK", NULL},
    {"DriversLicense-EE", NULL}, {"DriversLicense-ES", NULL}, {"DriversLicense-FI", NULL},
    {"DriversLicense-FR", NULL}, {"DriversLicense-GB", NULL}, {"DriversLicense-GR", NULL},
    {"DriversLicense-HR", NULL}, {"DriversLicense-HU", NULL}, {"DriversLicense-IE", NULL},
    {"DriversLicense-IT", NULL}, {"DriversLicense-LT", NULL}, {"DriversLicense-LU", NULL},
    {"DriversLicense-LV", NULL}, {"DriversLicense-MT", NULL}, {"DriversLicense-NL", NULL},
    {"DriversLicense-PL", NULL}, {"DriversLicense-PT", NULL}, {"DriversLicense-RO", NULL},
    {"DriversLicense-SE", NULL}, {"DriversLicense-SI", NULL}, {"DriversLicense-SK", NULL},
    {"DriversLicense-US", NULL}, {"DrugEnforcementAgencyNumber-US", NULL},
    {"ElectoralRollNumber-GB", NULL}, {"EmailAddress", email_at},
    {"HealthInsuranceCardNumber-EU", NULL}, {"HealthInsuranceClaimNumber-US", NULL},
    {"HealthInsuranceNumber-FR", NULL}, {"HealthcareProcedureCode-US", NULL},
    {"IndividualTaxIdentificationNumber-US", NULL}, {"InseeCode-FR", NULL},
    {"IpAddress", ipv4_at}, {"MedicareBeneficiaryNumber-US", NULL}, {"Name", NULL},
    {"NationalDrugCode-US", NULL}, {"NationalIdentificationNumber-DE", NULL},
    {"NationalIdentificationNumber-ES", NULL}, {"NationalIdentificationNumber-IT", NULL},
    {"NationalInsuranceNumber-GB", NULL}, {"NationalProviderId-US", NULL}, {"NhsNumber-GB", NULL},
    {"NieNumber-ES", NULL}, {"NifNumber-ES", NULL}, {"OpenSshPrivateKey", NULL},
    {"PassportNumber-CA", NULL}, {"PassportNumber-DE", NULL}, {"PassportNumber-ES", NULL},
    {"PassportNumber-FR", NULL}, {"PassportNumber-GB", NULL}, {"PassportNumber-IT", NULL},
    {"PassportNumber-US", NULL}, {"PermanentResidenceNumber-CA", NULL},
    {"PersonalHealthNumber-CA", NULL}, {"PgpPrivateKey", NULL}, {"PhoneNumber-BR", NULL},
    {"PhoneNumber-DE", NULL}, {"PhoneNumber-ES", NULL}, {"PhoneNumber-FR", NULL},
    {"PhoneNumber-GB", NULL}, {"PhoneNumber-IT", NULL}, {"PhoneNumber-US", NULL},
    {"PkcsPrivateKey", NULL}, {"PostalCode-CA", NULL}, {"PuttyPrivateKey", NULL},
    {"RgNumber-BR", NULL}, {"SocialInsuranceNumber-CA", NULL}, {"Ssn-ES", NULL}, {"Ssn-US", NULL},
    {"TaxId-DE", NULL}, {"TaxId-ES", NULL}, {"TaxId-FR", NULL}, {"TaxId-GB", NULL},
    {"VehicleIdentificationNumber", NULL}, {"ZipCode-US", NULL},
};
#define N_MANAGED (sizeof managed / sizeof managed[0])

int aev__dpp_managed_index(const char *name) {
  for (size_t i = 0; i < N_MANAGED; i++)
    if (!strcmp(managed[i].name, name)) return (int)i;
  return -1;
}

const char *aev__dpp_managed_name(int index) {
  return index >= 0 && (size_t)index < N_MANAGED ? managed[index].name : NULL;
}

/* ---- keywords ---- */

/* "Keywords aren't case sensitive. In addition, if a keyword contains a
 * space, Amazon SNS automatically matches keyword variations that don't
 * contain the space, or contain an underscore (_) or a hyphen (-) instead
 * of the space." The keyword must stand as a word of its own. */
static size_t keyword_at(const char *s, size_t len, size_t i, const char *kw) {
  size_t j = i;
  for (const char *k = kw; *k; k++) {
    if (*k == ' ') {
      if (j < len && (s[j] == ' ' || s[j] == '_' || s[j] == '-')) j++;
      continue;
    }
    if (j >= len || tolower((unsigned char)s[j]) != *k) return 0;
    j++;
  }
  if (i > 0 && isalnum((unsigned char)s[i - 1])) return 0;
  if (j < len && isalnum((unsigned char)s[j]) && isalnum((unsigned char)s[j - 1])) return 0;
  return j - i;
}

/* The guide requires keywords "in proximity" without a distance; Amazon
 * Macie's managed identifiers, which these share, document 30 characters:
 * a keyword must end within 30 characters before the data or start within
 * 30 after it. */
#define KEYWORD_DISTANCE 30

static int keyword_near(const char *s, size_t len, size_t start, size_t end,
                        const char *const *kws) {
  size_t lo = start > KEYWORD_DISTANCE + 40 ? start - KEYWORD_DISTANCE - 40 : 0;
  size_t hi = end + KEYWORD_DISTANCE < len ? end + KEYWORD_DISTANCE : len;
  for (size_t i = lo; i < hi; i++)
    for (const char *const *k = kws; *k; k++) {
      size_t n = keyword_at(s, len, i, *k);
      if (!n) continue;
      if (i + n <= start ? start - (i + n) <= KEYWORD_DISTANCE : i >= end && i - end <= KEYWORD_DISTANCE)
        return 1;
    }
  return 0;
}

/* ---- EmailAddress ---- */

static int local_char(char c) { return isalnum((unsigned char)c) || strchr("._%+-", c); }
static int domain_char(char c) { return isalnum((unsigned char)c) || c == '.' || c == '-'; }

/* local@domain.tld: a local part of letters, digits and . _ % + -, a
 * domain of labels of letters, digits and -, its last label (the top-level
 * domain) two letters or more. */
static int email_at(const char *s, size_t len, size_t from, size_t *start, size_t *end) {
  for (size_t at = from; at < len; at++) {
    if (s[at] != '@') continue;
    size_t a = at;
    while (a > from && local_char(s[a - 1])) a--;
    while (a < at && s[a] == '.') a++;
    size_t b = at + 1;
    while (b < len && domain_char(s[b])) b++;
    while (b > at + 1 && (s[b - 1] == '.' || s[b - 1] == '-')) b--;
    if (a == at || b == at + 1) continue;
    size_t dot = b;
    while (dot > at + 1 && s[dot - 1] != '.') dot--;
    if (dot == at + 1 || b - dot < 2) continue;
    int tld_alpha = 1, labels_ok = 1;
    for (size_t k = dot; k < b; k++) tld_alpha &= isalpha((unsigned char)s[k]) != 0;
    for (size_t k = at + 1; k < b; k++)
      if (s[k] == '.' && (k == at + 1 || s[k - 1] == '.' || s[k - 1] == '-' || s[k + 1] == '-'))
        labels_ok = 0;
    if (s[at + 1] == '-' || !tld_alpha || !labels_ok) continue;
    *start = a;
    *end = b;
    return 1;
  }
  return 0;
}

/* ---- CreditCardNumber ---- */

static int luhn(const char *d, size_t n) {
  int sum = 0;
  for (size_t i = 0; i < n; i++) {
    int v = d[n - 1 - i] - '0';
    if (i % 2) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    sum += v;
  }
  return sum % 10 == 0;
}

static int prefix_in(const char *d, size_t plen, long lo, long hi) {
  long v = 0;
  for (size_t i = 0; i < plen; i++) v = v * 10 + (d[i] - '0');
  return v >= lo && v <= hi;
}

/* "a standard card number prefix for any of the following types of credit
 * cards: American Express, Dankort, Diner's Club, Discover, Electron,
 * Japanese Card Bureau (JCB), Mastercard, UnionPay, and Visa." Visa and
 * Electron start with 4, Dankort with 5019 (within Mastercard's 5). */
static int card_prefix(const char *d) {
  return d[0] == '4' || prefix_in(d, 2, 34, 34) || prefix_in(d, 2, 37, 37) ||
         prefix_in(d, 2, 50, 55) || prefix_in(d, 4, 2221, 2720) || prefix_in(d, 3, 300, 305) ||
         prefix_in(d, 2, 36, 36) || prefix_in(d, 2, 38, 39) || prefix_in(d, 4, 6011, 6011) ||
         prefix_in(d, 3, 644, 649) || prefix_in(d, 2, 65, 65) || prefix_in(d, 4, 3528, 3589) ||
         prefix_in(d, 2, 62, 62);
}

/* "Amazon SNS doesn't report occurrences of the following sequences,
 * which credit card issuers have reserved for public testing." */
static const char *const test_cards[] = {
    "122000000000003", "2222405343248877", "2222990905257051", "2223007648726984",
    "2223577120017656", "30569309025904", "34343434343434", "3528000700000000",
    "3530111333300000", "3566002020360505", "36148900647913", "36700102000000",
    "371449635398431", "378282246310005", "378734493671000", "38520000023237",
    "4012888888881881", "4111111111111111", "4222222222222", "4444333322221111",
    "4462030000000000", "4484070000000000", "4911830000000", "4917300800000000",
    "4917610000000000", "4917610000000000003", "5019717010103742", "5105105105105100",
    "5111010030175156", "5185540810000019", "5200828282828210", "5204230080000017",
    "5204740009900014", "5420923878724339", "5454545454545454", "5455330760000018",
    "5506900490000436", "5506900490000444", "5506900510000234", "5506920809243667",
    "5506922400634930", "5506927427317625", "5553042241984105", "5555553753048194",
    "5555555555554444", "5610591081018250", "6011000990139424", "6011000400000000",
    "6011111111111117", "630490017740292441", "630495060000000000", "6331101999990016",
    "6759649826438453", "6799990100000000019", "76009244561", NULL};

static const char *const card_keywords[] = {
    "account number", "american express", "amex", "bank card", "card", "card num",
    "card number", "cc #", "ccn", "check card", "credit", "credit card#", "dankort", "debit",
    "debit card", "diners club", "discover", "electron", "elo verification code",
    "japanese card bureau", "jcb", "mastercard", "mc", "pan", "payment account number",
    "payment card number", "pcn", "union pay", "visa", NULL};

/* "a 13–19 digit sequence that adheres to the Luhn check formula", with
 * one space or hyphen allowed between digit groups, a card prefix, not a
 * test number, a keyword near it, and no digit or letter against it. */
static int card_at(const char *s, size_t len, size_t from, size_t *start, size_t *end) {
  for (size_t i = from; i < len; i++) {
    if (!isdigit((unsigned char)s[i]) || (i > 0 && isalnum((unsigned char)s[i - 1]))) continue;
    char d[20];
    size_t n = 0, j = i;
    while (j < len && n <= 19) {
      if (isdigit((unsigned char)s[j])) {
        if (n < 19) d[n] = s[j];
        n++;
        j++;
      } else if ((s[j] == ' ' || s[j] == '-') && j + 1 < len && isdigit((unsigned char)s[j + 1])) {
        j++;
      } else {
        break;
      }
    }
    if (n < 13 || n > 19 || (j < len && isalnum((unsigned char)s[j]))) {
      while (i + 1 < len && isdigit((unsigned char)s[i + 1])) i++;
      continue;
    }
    d[n] = '\0';
    int test = 0;
    for (const char *const *t = test_cards; *t && !test; t++) test = !strcmp(*t, d);
    if (!test && card_prefix(d) && luhn(d, n) && keyword_near(s, len, i, j, card_keywords)) {
      *start = i;
      *end = j;
      return 1;
    }
    i = j - 1;
  }
  return 0;
}

/* ---- AwsSecretKey ---- */

static int key_char(char c) { return isalnum((unsigned char)c) || c == '/' || c == '+'; }

static const char *const secret_keywords[] = {"aws_secret_access_key", "credentials",
                                              "secret access key", "secret key",
                                              "set-awscredential", NULL};

/* An AWS secret access key: 40 characters of its alphabet (letters,
 * digits, / and +) with letters and digits both, a keyword near it
 * (aws_secret_access_key, credentials, secret access key, secret key,
 * set-awscredential). */
static int secret_key_at(const char *s, size_t len, size_t from, size_t *start, size_t *end) {
  for (size_t i = from; i < len; i++) {
    if (!key_char(s[i]) || (i > 0 && (key_char(s[i - 1]) || s[i - 1] == '='))) continue;
    size_t j = i;
    int letters = 0, digits = 0;
    while (j < len && key_char(s[j])) {
      letters |= isalpha((unsigned char)s[j]) != 0;
      digits |= isdigit((unsigned char)s[j]) != 0;
      j++;
    }
    if (j - i == 40 && (j == len || s[j] != '=') && letters && digits &&
        keyword_near(s, len, i, j, secret_keywords)) {
      *start = i;
      *end = j;
      return 1;
    }
    i = j;
  }
  return 0;
}

/* ---- IpAddress ---- */

/* One octet of a dotted quad: 0 to 255, no leading zero. Its length. */
static size_t octet(const char *s, size_t len, size_t i) {
  size_t n = 0;
  int v = 0;
  while (i + n < len && n < 4 && isdigit((unsigned char)s[i + n])) v = v * 10 + (s[i + n++] - '0');
  if (n == 0 || n > 3 || v > 255 || (n > 1 && s[i] == '0')) return 0;
  return n;
}

/* IPv4 addresses in dotted-quad form (IPv6 is not detected here). */
static int ipv4_at(const char *s, size_t len, size_t from, size_t *start, size_t *end) {
  for (size_t i = from; i < len; i++) {
    if (!isdigit((unsigned char)s[i]) || (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '.')))
      continue;
    size_t j = i, parts = 0, n;
    while (parts < 4 && (n = octet(s, len, j))) {
      j += n;
      if (++parts < 4) {
        if (j < len && s[j] == '.') j++;
        else break;
      }
    }
    int tail_ok = j == len || (!isalnum((unsigned char)s[j]) &&
                               !(s[j] == '.' && j + 1 < len && isdigit((unsigned char)s[j + 1])));
    if (parts == 4 && tail_ok) {
      *start = i;
      *end = j;
      return 1;
    }
  }
  return 0;
}

/* ---- detection ---- */

static int span_add(aev__dpp_span **spans, size_t *n, size_t *cap, size_t a, size_t b, int id) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 8;
    aev__dpp_span *grown = realloc(*spans, c * sizeof *grown);
    if (!grown) return aev__nomem();
    *spans = grown;
    *cap = c;
  }
  (*spans)[(*n)++] = (aev__dpp_span){a, b, id};
  return AEV_OK;
}

int aev__dpp_detect(const aev__dpp *p, int id, const char *text, size_t len,
                    aev__dpp_span **spans, size_t *n, size_t *cap) {
  const aev__dpp_ident *ident = &p->idents[id];
  size_t at = 0, a, b;
  if (ident->managed >= 0) {
    detect_fn fn = managed[ident->managed].fn;
    while (fn && at < len && fn(text, len, at, &a, &b)) {
      int rc = span_add(spans, n, cap, a, b, id);
      if (rc != AEV_OK) return rc;
      at = b > a ? b : a + 1;
    }
    return AEV_OK;
  }
  /* regexec reads a NUL-terminated string: the message's own NUL ends it
   * (SNS messages are UTF-8 text without U+0000). */
  regmatch_t m;
  while (at < len && regexec(&ident->re, text + at, 1, &m, at ? REG_NOTBOL : 0) == 0) {
    a = at + (size_t)m.rm_so;
    b = at + (size_t)m.rm_eo;
    if (b > len) break;
    if (b > a) {
      int rc = span_add(spans, n, cap, a, b, id);
      if (rc != AEV_OK) return rc;
    }
    at = b > a ? b : a + 1;
  }
  return AEV_OK;
}
