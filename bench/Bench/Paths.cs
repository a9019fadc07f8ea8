using Kvmspec.Model.Arm64;
using Kvmspec.Model.Oracle;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Bench;

/// <summary>The measured code paths, shared by the BenchmarkDotNet benchmarks and the quick mode.</summary>
public static class Paths
{
    /// <summary>Invariant checking only: every event of an in-memory array through a
    /// <see cref="TraceChecker"/> of <paramref name="invariants"/> (default: all arm64 invariants).</summary>
    /// <returns>The total number of violations found (so that nothing is optimised away).</returns>
    public static long CheckInvariants(TraceHeader header, TraceEvent[] events, IEnumerable<Invariant>? invariants = null)
    {
        var checker = new TraceChecker(header, invariants ?? Arm64Invariants.All);
        for (int i = 0; i < events.Length; i++) checker.Observe(i, events[i]);
        long total = 0;
        foreach (var v in checker.Finish()) total += v.Total;
        return total;
    }

    /// <summary>Parsing only: <see cref="TraceReader"/> over the file, every event read and dropped.</summary>
    /// <returns>The number of events.</returns>
    public static long Parse(string path)
    {
        using var s = TraceFiles.Open(path);
        var r = new TraceReader(s, path);
        long n = 0;
        foreach (var _ in r.Events()) n++;
        return n;
    }

    /// <summary>The whole <c>kvmspec conform</c> path: read, parse, check every invariant and, given a
    /// variant, replay in lockstep (<see cref="Conformance.Check"/>).</summary>
    public static ConformReport Conform(string path, Variant? variant) =>
        Conformance.Check(() => TraceFiles.Open(path), path, variant);

    /// <summary>A one-line summary of a conform report: events, violations per invariant, replay.</summary>
    public static string Summary(ConformReport r)
    {
        var violated = r.Verdicts.Where(v => v.Kind == VerdictKind.Violated).Select(v => $"{v.Invariant} {v.Total}").ToList();
        var replay = r.Variant is null ? "" : r.ReplayNotPossible is { } why ? $"; replay not possible: {why}"
            : r.Divergence is { } d ? $"; replay DIVERGES at event {d.EventIndex}: expected {d.Expected}; observed {d.Observed}" : $"; replay agrees ({r.Variant.Id})";
        return $"{r.Events:N0} events; violations: {(violated.Count == 0 ? "none" : string.Join(", ", violated))}; conforms: {r.Conforms}{replay}";
    }
}
