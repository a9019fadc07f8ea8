using Stopwatch = System.Diagnostics.Stopwatch;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.X86;

/// <summary>A shrunk x86 script that shows a violation, with its trace and the violation.</summary>
public sealed record X86Counterexample(X86Script Script, Trace Trace, Violation Violation) : ICounterexample
{
    public string Program => Script.Program.ToString();
    public int ActionCount => Script.Actions.Length;
}

/// <summary>Judges x86 traces and explores x86 variants the way <see cref="RandomExplorer"/> does
/// for arm64: the corpus and random scripts from a seed, each violated key shrunk to a local minimum.</summary>
public static class X86Explorer
{
    public static IEnumerable<Violation> Violations(Trace t) => TraceChecker.Check(t, X86Invariants.All).SelectMany(v => v.Violations);

    public static VariantReport Explore(X86Variant v, int traces, int size, ulong seed)
    {
        var sw = Stopwatch.StartNew();
        var first = new Dictionary<string, X86Script>();
        var unhandled = new List<string>();
        long events = 0;
        var scripts = X86Corpus.All.Select(e => e.Script(v))
            .Concat(Enumerable.Range(0, traces).Select(i => X86ScriptGenerator.Generate(v, new Rng(seed * 0x9E3779B97F4A7C15UL + (ulong)i), size)));
        foreach (var script in scripts)
        {
            var r = X86Simulator.Execute(v, script);
            events += r.Trace.Events.Length;
            if (r.Unhandled is { } u && !unhandled.Contains(u)) unhandled.Add(u);
            foreach (var viol in Violations(r.Trace)) first.TryAdd(viol.Key, script);
        }
        var found = new SortedDictionary<string, ICounterexample>(StringComparer.Ordinal);
        foreach (var (key, script) in first) found[key] = Minimise(v, script, key);
        return new VariantReport(v, found, unhandled, traces, events, sw.Elapsed);
    }

    public static X86Counterexample Minimise(X86Variant v, X86Script script, string key)
    {
        bool Fails(X86Script s) => Violations(X86Simulator.Execute(v, s).Trace).Any(x => x.Key == key);
        var small = X86Shrinker.Shrink(script, Fails);
        var trace = X86Simulator.Execute(v, small).Trace;
        return new X86Counterexample(small, trace, Violations(trace).First(x => x.Key == key));
    }
}
