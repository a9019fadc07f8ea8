using System.Diagnostics;
using Kvmspec.Model.Arm64;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Bench;

/// <summary>Where the lockstep replay spends its time: the replay alone (no invariants), timed in chunks
/// of the trace, to tell a per-event cost from one that grows with the trace.</summary>
public static class ReplayProfile
{
    /// <summary>Which parts of the live hypotheses' states differ (read by reflection, for the report only):
    /// the vCPU fields with more than one value among them, and the lengths of their pending observations.</summary>
    private static void Diversity(System.Collections.IEnumerable? live, TextWriter o)
    {
        if (live is null) return;
        var states = new List<(object? Vcpu, int Pending)>();
        foreach (var h in live)
        {
            var t = h.GetType();
            var ctx = t.GetProperty("C")?.GetValue(h);
            var vcpu = ctx?.GetType().GetProperty("S")?.GetValue(ctx);
            int pending = t.GetProperty("Pending")?.GetValue(h) is System.Collections.IEnumerable q ? q.Cast<object>().Count() : -1;
            states.Add((vcpu, pending));
        }
        if (states.Count < 2) return;
        var differing = typeof(Vcpu).GetProperties()
            .Select(p => (p.Name, Values: states.Select(s => s.Vcpu is null ? null : p.GetValue(s.Vcpu)?.ToString()).Distinct().Count()))
            .Where(x => x.Values > 1)
            .Select(x => $"{x.Name} ({x.Values} values)");
        o.WriteLine($"  vCPU fields that differ among them: {string.Join(", ", differing)}; pending lengths: {string.Join(",", states.Select(s => s.Pending).Distinct().Order())}");
        var vcpus = states.Select(s => s.Vcpu).OfType<Vcpu>().ToList();
        int byEquals = vcpus.Distinct().Count();
        int withoutDbg = vcpus.Select(v => v with { Dbg = default }).Distinct().Count();
        int dbgContents = vcpus.Select(v => string.Join(",", v.Dbg.Bp.Concat(v.Dbg.Wp))).Distinct().Count();
        o.WriteLine($"  distinct vCPUs by record equality: {byEquals}; with Dbg cleared: {withoutDbg}; distinct Dbg contents: {dbgContents}");
    }

    /// <summary><c>profile-replay FILE [CHUNK]</c>.</summary>
    public static int Run(string file, int chunk, TextWriter o)
    {
        using var s = TraceFiles.Open(file);
        var reader = new TraceReader(s, file);
        var replay = Model.Oracle.Replay.Start(Arm64Variants.Upstream, reader.Header, out var why) ?? throw new InvalidOperationException(why);
        var sw = Stopwatch.StartNew();
        var lap = Stopwatch.StartNew();
        var kinds = new Dictionary<string, (long N, double Ms)>();
        // The replay's private list of live hypotheses (placements of environment events), read for the report only.
        var liveField = typeof(Model.Oracle.Replay).GetField("live", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);
        int Live() => liveField?.GetValue(replay) is System.Collections.ICollection c ? c.Count : -1;
        int maxLive = 0;
        foreach (var (i, e) in reader.Events())
        {
            long t0 = Stopwatch.GetTimestamp();
            if (!replay.Feed(i, e)) { o.WriteLine($"diverged: {replay.Diverged}"); return 1; }
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            var k = kinds.GetValueOrDefault(e.Verb);
            kinds[e.Verb] = (k.N + 1, k.Ms + ms);
            maxLive = Math.Max(maxLive, Live());
            if ((i + 1) % chunk == 0)
            {
                o.WriteLine($"  events {i + 1 - chunk,8:N0}..{i + 1,8:N0}: {lap.Elapsed.TotalSeconds,7:F2} s ({chunk / lap.Elapsed.TotalSeconds,9:N0} events/s); live hypotheses now {Live()}, max so far {maxLive}");
                lap.Restart();
            }
        }
        o.WriteLine($"total {sw.Elapsed.TotalSeconds:F2} s; live hypotheses at the end: {Live()}");
        Diversity(liveField?.GetValue(replay) as System.Collections.IEnumerable, o);
        o.WriteLine("by event kind (count, total ms, us/event):");
        foreach (var (k, (n, ms)) in kinds.OrderByDescending(x => x.Value.Ms))
            o.WriteLine($"  {k,-16} {n,9:N0} {ms,10:F0} {1000 * ms / n,10:F1}");
        return 0;
    }
}
