using System.Diagnostics;
using Kvmspec.Model.Arm64;

namespace Kvmspec.Model.Exploration;

/// <summary>Explores a variant with the regression corpus and random scripts from a seed, and
/// shrinks the first counterexample of every violated key to a local minimum.</summary>
public static class RandomExplorer
{
    public static VariantReport Explore(Variant v, int traces, int size, ulong seed)
    {
        var sw = Stopwatch.StartNew();
        var first = new Dictionary<string, Script>();
        var unhandled = new List<string>();
        long events = 0;
        var scripts = Corpus.All.Select(c => c.Script)
            .Concat(Enumerable.Range(0, traces).Select(i => ScriptGenerator.Generate(new Rng(seed * 0x9E3779B97F4A7C15UL + (ulong)i), size)));
        foreach (var script in scripts)
        {
            var r = Simulator.Execute(v, script);
            events += r.Trace.Events.Length;
            if (r.Unhandled is { } u && !unhandled.Contains(u)) unhandled.Add(u);
            foreach (var viol in Judge.ViolationsOf(v.Id, r.Trace))
                first.TryAdd(viol.Key, script);
        }
        var found = new SortedDictionary<string, ICounterexample>(StringComparer.Ordinal);
        foreach (var (key, script) in first)
            found[key] = Minimise(v, script, key);
        return new VariantReport(v, found, unhandled, traces, events, sw.Elapsed);
    }

    /// <summary>Shrinks <paramref name="script"/> while it still violates <paramref name="key"/>.</summary>
    public static Counterexample Minimise(Variant v, Script script, string key)
    {
        bool Fails(Script s) => Judge.ViolationsOf(v.Id, Simulator.Execute(v, s).Trace).Any(x => x.Key == key);
        var small = Shrinker.Shrink(script, Fails);
        var trace = Simulator.Execute(v, small).Trace;
        return new Counterexample(small, trace, Judge.ViolationsOf(v.Id, trace).First(x => x.Key == key));
    }
}
