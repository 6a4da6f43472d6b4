/* Internal: reading one GZIP member (RFC 1952) with zlib, for Firehose's
 * Decompression processor and a Distributed Map's S3 inventory files. */
#ifndef AEV_CORE_GZIP_H
#define AEV_CORE_GZIP_H

#include <stddef.h>

#include "core/text.h"

/* Inflates the one GZIP member in[0..n) holds, whole and alone, onto out
 * (NUL-terminated after it). Returns NULL, or why it could not be read
 * ("out of memory" among the reasons); out's text is then incomplete. */
const char *aev__gunzip(const void *in, size_t n, aev__tbuf *out);

#endif
