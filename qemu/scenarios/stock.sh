# Debian's own kernel: zsx.ko built against linux-headers-amd64 loads and runs.
check "insmod zsx.ko on the distro kernel" insmod /lib/zsx/zsx.ko
check "C++ core ran on the distro kernel" sh -c 'dmesg | grep -q "zsx: C++ core loaded"'
check "rmmod zsx" rmmod zsx
