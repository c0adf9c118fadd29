/* the crypto API's synchronous compressor interface, crypto_comp (gone in 7.x: acomp only) */
#include <linux/crypto.h>
static int __maybe_unused probe(struct crypto_comp *tfm, const u8 *src, u8 *dst, unsigned int *dlen)
{
	return crypto_comp_compress(tfm, src, 4096, dst, dlen);
}
