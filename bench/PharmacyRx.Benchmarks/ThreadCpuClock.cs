using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PharmacyRx.Benchmarks;

/// <summary>
/// The calling thread's CPU time in <see cref="Stopwatch"/> ticks (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>):
/// on a machine shared with other work, a stage's wall time counts the time its thread waited for a core; its CPU time
/// does not.
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;

    public static bool Available { get; } = OperatingSystem.IsLinux();

    public static long Now()
    {
        if (clock_gettime(ClockThreadCpuTime, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }
        // In double: nanoseconds times a nanosecond Stopwatch frequency overflows a long after nine seconds.
        return (long)((time.Seconds * 1_000_000_000L + time.Nanoseconds) * (Stopwatch.Frequency / 1e9));
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc")]
    private static extern int clock_gettime(int clock, out Timespec time);
}
