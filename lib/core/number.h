/* Numbers read from and written to text with '.' as the decimal point,
 * whatever locale the host program set with setlocale() or uselocale():
 * strtod and printf follow LC_NUMERIC, so under de_DE "1.5" would read
 * as 1 and 1.5 would print as "1,5". */
#ifndef AEV_CORE_NUMBER_H
#define AEV_CORE_NUMBER_H

#include <stddef.h>

/* strtod(s, end) as in the C locale. */
double aev__strtod(const char *s, char **end);

/* snprintf(out, cap, fmt, ...) as in the C locale: for the floating
 * conversions (%g, %e, %f, ...) of numbers that are written into JSON,
 * AWS error messages or compared as text. */
int aev__snprintf_c(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
