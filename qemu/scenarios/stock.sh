# Debian's own kernel (no KUnit): zsx.ko built against linux-headers-amd64
# loads and runs; zsxram swap with allocator zsx, verified (issue scenario 4).
check "insmod zsmalloc.ko (Debian builds it as a module; zsxram links to it)" insmod /lib/zsx/zsmalloc.ko
check "insmod zsx.ko on the distro kernel" insmod /lib/zsx/zsx.ko
check "C++ core ran on the distro kernel" sh -c 'dmesg | grep -q "zsx: C++ core loaded"'
check "insmod zsxram.ko" insmod /lib/zsx/zsxram.ko
S=/sys/block/zsxram0
check "zsxram0: allocator zsx, 256M swap" sh -c "echo zsx > $S/allocator && echo 256M > $S/disksize && mkswap /dev/zsxram0 >/dev/null && swapon /dev/zsxram0"
check "64 MiB paged out and read back intact" sh -c 'swapverify 64 3 > /tmp/sv; r=$?; cat /tmp/sv; [ $r = 0 ] && [ $(awk "{print \$5}" /tmp/sv) -gt 8000 ]'
sed 's/^/ZSX-INFO: /' /tmp/sv
sleep 1
echo "ZSX-INFO: stock zsx mm_stat after munmap: $(cat $S/mm_stat)"
echo 1 > $S/compact
check "mm_stat back to ~0 after munmap (stored < 1 MiB, mem_used < 5% of peak)" sh -c "awk '{exit !(\$1 < 1048576 && \$3 * 20 < \$5)}' $S/mm_stat"
check "swapoff, reset" sh -c "swapoff /dev/zsxram0 && echo 1 > $S/reset"
check "rmmod zsxram, zsx" sh -c "rmmod zsxram && rmmod zsx"
