/*
 * A trace event's __assign_str() takes only the field (6.10+). Expanding the
 * macro with one argument is a preprocessor error where it takes two.
 */
#include <linux/tracepoint.h>
#include <trace/stages/stage6_event_callback.h>
#define PROBE_STR(x) #x
#define PROBE_XSTR(x) PROBE_STR(x)
static const char probe[] __maybe_unused = PROBE_XSTR(__assign_str(field));
