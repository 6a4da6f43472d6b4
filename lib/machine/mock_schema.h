/* Internal to lib/machine: TestState's check of a mocked result against
 * its integration's output shape (mock_schema.c). */
#ifndef AEV_MACHINE_MOCK_SCHEMA_H
#define AEV_MACHINE_MOCK_SCHEMA_H

#include <jansson.h>

/* AEV_OK, or ValidationException "Mock result schema validation error:
 * ..." when result does not fit the output of the integration resource
 * names, under mode (STRICT, PRESENT or NONE). */
int aev__mock_check(const char *resource, json_t *result, const char *mode);

#endif
