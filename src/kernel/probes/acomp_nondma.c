/* acomp requests take virtual addresses directly (6.15+) */
#include <crypto/acompress.h>
static void __maybe_unused probe(struct acomp_req *req, const u8 *src, u8 *dst)
{
	acomp_request_set_src_nondma(req, src, 4096);
	acomp_request_set_dst_nondma(req, dst, 8192);
}
