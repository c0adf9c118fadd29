/* a KUnit parameter generator is passed the test first (6.18+) */
#include <kunit/test.h>
static const void *probe_gen(struct kunit *test, const void *prev, char *desc)
{
	return NULL;
}
static void probe_case(struct kunit *test)
{
}
static struct kunit_case probe[] __maybe_unused = { KUNIT_CASE_PARAM(probe_case, probe_gen), {} };
