using System.Globalization;
using Kvmspec.Model.Exploration.Exhaustive;

namespace Kvmspec.Bench;

/// <summary><c>spin-twin</c>: Bfs over <see cref="SpinTwin"/> at a bound, printed in the lines
/// bench/spin/compare.sh reads (<c>twin.states</c>, <c>twin.rate</c>, ...).</summary>
public static class SpinTwinRun
{
    /// <summary>Every reachable state, one line each in arm64_step.pml's printf format (for diffing
    /// against a pan built with -DPRINTF from a copy of the model that prints its state).</summary>
    private static int Dump(SpinTwin space, TextWriter o)
    {
        var seen = new HashSet<TwinState>();
        var queue = new Queue<TwinState>();
        foreach (var i in space.Initial) if (seen.Add(i.State)) queue.Enqueue(i.State);
        while (queue.TryDequeue(out var s))
        {
            var prog = string.Join(",", Enumerable.Range(0, space.Length).Select(k => k < s.Built ? s.Instruction(k) : 0));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"S {prog} {s.Built} {s.Pc} {(s.SS ? 1 : 0)} {(s.Dbg ? 1 : 0)} {(s.Hw ? 1 : 0)} {(s.Pend ? 1 : 0)} {(s.MmioData ? 1 : 0)} {(s.Sig ? 1 : 0)} {s.ExitReason} {s.X0} {s.Retired} {s.Depth}"));
            for (int a = 0; a < space.ActionCount(s); a++)
                if (space.Step(s, a) is { } n && seen.Add(n.State)) queue.Enqueue(n.State);
        }
        return 0;
    }

    /// <summary>The twin's own cost: every transition of the reachable states taken again, without the
    /// search (so the engine's share is the rest of a <c>spin-twin</c> run).</summary>
    private static int StepCost(SpinTwin space, TextWriter o)
    {
        var seen = new HashSet<TwinState>();
        var all = new List<TwinState>();
        foreach (var i in space.Initial) if (seen.Add(i.State)) all.Add(i.State);
        for (int k = 0; k < all.Count; k++)
            for (int a = 0; a < space.ActionCount(all[k]); a++)
                if (space.Step(all[k], a) is { } n && seen.Add(n.State)) all.Add(n.State);
        for (int r = 0; r < 3; r++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            long t = 0;
            ulong x = 0;
            foreach (var s in all)
                for (int a = 0; a < 9; a++)
                    if (space.Step(s, a) is { } n) { t++; x ^= n.Key.Lo; }
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step cost: {t:N0} transitions of {all.Count:N0} states in {sw.Elapsed.TotalSeconds:F3} s ({sw.Elapsed.TotalNanoseconds / t:F0} ns each; {all.Count / sw.Elapsed.TotalSeconds:N0} states/s) [{x & 1}]"));
        }
        for (int r = 0; r < 4; r++)
        {
            var set = r % 2 == 0 ? new FingerprintSet() : new FingerprintSet(all.Count * 2);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            long t = 0;
            foreach (var s in all)
                for (int a = 0; a < 9; a++)
                    if (space.Step(s, a) is { } n) { t++; set.Add(n.Key); }
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step+add{(r % 2 == 0 ? "" : " (presized)")}: {t:N0} transitions, {set.Count:N0} fingerprints in {sw.Elapsed.TotalSeconds:F3} s ({sw.Elapsed.TotalNanoseconds / t:F0} ns each)"));
        }
        return 0;
    }

    public static int Run(string[] args, TextWriter o)
    {
        int length = 5, depth = 8, threads = 1, repeat = 1, slotsLog2 = 23;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--length": length = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--depth": depth = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--repeat": repeat = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--slots-log2": slotsLog2 = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--dump": return Dump(new SpinTwin(length, depth), o);
                case "--step-cost": return StepCost(new SpinTwin(length, depth), o);
                default: throw new ArgumentException($"spin-twin: unknown option {args[i]}");
            }
        }
        var space = new SpinTwin(length, depth);
        // The visited table presized (2^23 slots, the size it grows to at the default bound; pan -w24 presizes its table too), unless --slots-log2 0.
        var bound = new Bound(length + depth, int.MaxValue, threads) { InitialSlots = slotsLog2 > 0 ? 1 << slotsLog2 : 0 };
        // Warm-up (JIT, thread pool) on a small bound, not timed.
        Bfs.Run(new SpinTwin(length, Math.Min(depth, 3)), bound with { Depth = length + 3 });
        BfsResult? best = null;
        double bestCpu = double.MaxValue;
        for (int r = 0; r < repeat; r++)
        {
            GC.Collect();
            var cpu0 = Environment.CpuUsage.TotalTime;
            var res = Bfs.Run(space, bound);
            var cpu = (Environment.CpuUsage.TotalTime - cpu0).TotalSeconds;
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {r + 1}: {res.States:N0} states in {res.Elapsed.TotalSeconds:F3} s ({res.StatesPerSecond:N0} states/s), CPU {cpu:F3} s ({res.States / cpu:N0} states per CPU second)"));
            if (best is null || res.Elapsed < best.Elapsed) best = res;
            bestCpu = Math.Min(bestCpu, cpu);
        }
        var b = best!;
        string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        o.WriteLine(Inv($"twin.bound L={length} D={depth} threads={threads}"));
        o.WriteLine(Inv($"twin.states {b.States}"));
        o.WriteLine(Inv($"twin.transitions {b.Transitions}"));
        o.WriteLine(Inv($"twin.depth {b.DepthReached}"));
        o.WriteLine(Inv($"twin.seconds {b.Elapsed.TotalSeconds:F3}"));
        o.WriteLine(Inv($"twin.rate {b.StatesPerSecond:F0}"));
        o.WriteLine(Inv($"twin.cpu_seconds {bestCpu:F3}"));
        o.WriteLine(Inv($"twin.cpu_rate {b.States / bestCpu:F0}"));
        o.WriteLine(Inv($"twin.bytes_per_state {b.BytesPerState:F1}"));
        o.WriteLine(Inv($"twin.peak_heap_mb {b.PeakHeapBytes / 1e6:F0}"));
        o.WriteLine(Inv($"twin.findings {string.Join(",", b.Findings.Keys.Order(StringComparer.Ordinal))}"));
        return 0;
    }
}
