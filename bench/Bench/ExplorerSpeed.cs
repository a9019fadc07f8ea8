using System.Diagnostics;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Exploration.Exhaustive;
using Kvmspec.Model.X86;

namespace Kvmspec.Bench;

/// <summary><c>explorer [DEPTH] [VARIANT...]</c>: each variant's exhaustive search (programs of one
/// instruction) on one thread and on two, best of three each after a warm-up of both, with states/s, the
/// two-thread speedup, bytes per stored state and CPU time.</summary>
public static class ExplorerSpeed
{
    public static int Run(string[] args, TextWriter o)
    {
        int depth = args.Length > 0 && int.TryParse(args[0], out var d) ? d : 3;
        var ids = args.Skip(args.Length > 0 && int.TryParse(args[0], out _) ? 1 : 0).ToList();
        if (ids.Count == 0) ids = ["arm64/upstream", "x86/upstream"];
        o.WriteLine($"exhaustive search, programs of 1 instruction, depth {depth}; load average {LoadAverage()}");
        foreach (var id in ids)
        {
            IVariant v = (IVariant?)Arm64Variants.Find(id) ?? (X86Variants.WithId(id) is { Count: > 0 } x ? x[0] : throw new ArgumentException($"unknown variant {id}"));
            // Warm-up at the full bound on both thread counts (JIT tiering), then the best of three each.
            ExhaustiveExplorer.Explore(v, 1, new Bound(depth, 10_000_000, 1));
            ExhaustiveExplorer.Explore(v, 1, new Bound(depth, 10_000_000, 2));
            var (one, cpu1) = Best(() => Timed(() => ExhaustiveExplorer.Explore(v, 1, new Bound(depth, 10_000_000, 1)).Search));
            var (two, cpu2) = Best(() => Timed(() => ExhaustiveExplorer.Explore(v, 1, new Bound(depth, 10_000_000, 2)).Search));
            o.WriteLine($"{id}: {one.States:N0} states, {one.Transitions:N0} transitions, {one.BytesPerState:F1} B/state, peak heap {one.PeakHeapBytes >> 20} MB");
            o.WriteLine($"  1 thread : {one.Elapsed.TotalSeconds:F2} s, {one.StatesPerSecond:N0} states/s, {one.Transitions / one.Elapsed.TotalSeconds:N0} transitions/s, cpu {cpu1.TotalSeconds:F2} s");
            o.WriteLine($"  2 threads: {two.Elapsed.TotalSeconds:F2} s, {two.StatesPerSecond:N0} states/s, {two.Transitions / two.Elapsed.TotalSeconds:N0} transitions/s, cpu {cpu2.TotalSeconds:F2} s; speedup {one.Elapsed / two.Elapsed:F2}x");
            if (one.States != two.States) { o.WriteLine("  MISMATCH: the state counts differ between 1 and 2 threads"); return 1; }
        }
        return 0;
    }

    private static (BfsResult, TimeSpan) Best(Func<(BfsResult R, TimeSpan Cpu)> run)
    {
        var best = run();
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            var r = run();
            if (r.R.Elapsed < best.R.Elapsed) best = r;
        }
        return best;
    }

    private static (BfsResult, TimeSpan) Timed(Func<BfsResult> f)
    {
        var p = Process.GetCurrentProcess();
        var t0 = p.TotalProcessorTime;
        var r = f();
        p.Refresh();
        return (r, p.TotalProcessorTime - t0);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
