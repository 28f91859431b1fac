using System.Runtime.InteropServices;

namespace Kaohe.Bench;

/// <summary>
/// The CPU time of the calling thread (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>, nanoseconds):
/// unlike the Stopwatch it does not count the time the thread waits for a core, so it stays
/// meaningful on a shared, loaded machine. Null where the call is not available.
/// </summary>
public static partial class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Seconds; public long Nanoseconds; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec ts);

    public static bool Available { get; } = OperatingSystem.IsLinux() && Probe();

    private static bool Probe()
    {
        try { return ClockGetTime(ClockThreadCpuTimeId, out _) == 0; }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }

    /// <summary>Thread CPU time in milliseconds.</summary>
    public static double NowMs()
    {
        ClockGetTime(ClockThreadCpuTimeId, out var ts);
        return ts.Seconds * 1e3 + ts.Nanoseconds / 1e6;
    }
}
