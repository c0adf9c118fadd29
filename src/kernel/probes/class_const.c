/* class attributes get a const struct class, and a class has no owner (6.4+) */
#include <linux/device.h>
static ssize_t probe_show(const struct class *class, const struct class_attribute *attr,
			  char *buf)
{
	return 0;
}
static struct class_attribute probe __maybe_unused = __ATTR(probe, 0400, probe_show, NULL);
