using Kvmspec.Model.Arm64;
using Kvmspec.Model.X86;

namespace Kvmspec.Model.Exploration;

/// <summary>What one seed of the random probe did for one declared key: how many random traces it
/// took to see the key first (null: not within the cap) and, when shrunk, the shrunk counterexample's
/// size in actions and instructions next to the first hit's, and the shrunk script as text.</summary>
public sealed record KeyHit(int? Traces, int? ShrunkActions = null, int? ShrunkProgram = null, int? FirstActions = null, int? FirstProgram = null, string? Shrunk = null);

/// <summary>One seed of the random probe on one variant: every declared key's <see cref="KeyHit"/>,
/// and how many traces the seed ran in all (it stops when every declared key was seen or at the cap).</summary>
public sealed record SeedRun(ulong Seed, IReadOnlyDictionary<string, KeyHit> Hits, int TracesRun);

/// <summary>Counts how many random traces the probe of <c>check</c> needs to find each declared
/// violation of a variant (the bug-finding power benchmark, bench/README.md "Bug-finding power").</summary>
/// <remarks>The traces are exactly <see cref="RandomExplorer"/>'s and <see cref="X86Explorer"/>'s:
/// trace <c>i</c> of seed <c>s</c> is the generator's script from <c>new Rng(s * 0x9E3779B97F4A7C15 + i)</c>.
/// The regression corpus is not counted (<see cref="CorpusKeys"/> says what it finds alone), and the
/// first hit of each key is shrunk by the explorers' own <c>Minimise</c>.</remarks>
public static class BugFinding
{
    /// <summary>The multiplier that spreads a seed over its traces, as in <see cref="RandomExplorer"/>.</summary>
    public const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>Runs traces 0..<paramref name="cap"/>-1 of <paramref name="seed"/> on <paramref name="v"/> until
    /// every declared key was seen; with <paramref name="shrink"/>, shrinks each key's first hit.</summary>
    public static SeedRun Run(IVariant v, ulong seed, int cap, int size, bool shrink) => ProbeOf(v).Run(seed, cap, size, shrink);

    /// <summary>The declared keys the regression corpus alone shows on <paramref name="v"/>.</summary>
    public static IReadOnlySet<string> CorpusKeys(IVariant v) => ProbeOf(v).CorpusKeys();

    /// <summary>The violation keys of trace <paramref name="i"/> of <paramref name="seed"/> (for checking the counts).</summary>
    public static IReadOnlySet<string> KeysOfTrace(IVariant v, ulong seed, int i, int size) => ProbeOf(v).KeysOfTrace(seed, i, size);

    /// <summary>The nearest-rank percentile (0 &lt; <paramref name="p"/> &lt;= 1) of per-seed trace counts, where null
    /// (not found within the cap) ranks above every count.</summary>
    public static int? Percentile(IReadOnlyList<int?> counts, double p)
    {
        var sorted = counts.OrderBy(x => x ?? int.MaxValue).ToList();
        int rank = Math.Clamp((int)Math.Ceiling(p * sorted.Count), 1, sorted.Count);
        return sorted[rank - 1];
    }

    private static IProbe ProbeOf(IVariant v) => v switch
    {
        Variant a => new Probe<Script>(a,
            (seed, i, size) => ScriptGenerator.Generate(new Rng(seed * Golden + (ulong)i), size),
            s => Judge.ViolationsOf(a.Id, Simulator.Execute(a, s).Trace).Select(x => x.Key),
            (s, key) => RandomExplorer.Minimise(a, s, key).Script,
            s => (s.Actions.Length, s.Program.Body.Length),
            [.. Corpus.All.Select(c => c.Script)]),
        X86Variant x => new Probe<X86Script>(x,
            (seed, i, size) => X86ScriptGenerator.Generate(x, new Rng(seed * Golden + (ulong)i), size),
            s => X86Explorer.Violations(X86Simulator.Execute(x, s).Trace).Select(y => y.Key),
            (s, key) => X86Explorer.Minimise(x, s, key).Script,
            s => (s.Actions.Length, s.Program.Body.Length),
            [.. X86Corpus.All.Select(e => e.Script(x))]),
        _ => throw new InvalidOperationException($"no random probe for {v.Id}"),
    };

    private interface IProbe
    {
        SeedRun Run(ulong seed, int cap, int size, bool shrink);
        IReadOnlySet<string> CorpusKeys();
        IReadOnlySet<string> KeysOfTrace(ulong seed, int i, int size);
    }

    private sealed class Probe<T>(IVariant v, Func<ulong, int, int, T> generate, Func<T, IEnumerable<string>> keys,
        Func<T, string, T> minimise, Func<T, (int Actions, int Program)> measure, IReadOnlyList<T> corpus) : IProbe
    {
        public SeedRun Run(ulong seed, int cap, int size, bool shrink)
        {
            var declared = v.ExpectedViolations.ToHashSet(StringComparer.Ordinal);
            var first = new Dictionary<string, (int Traces, T Script)>(StringComparer.Ordinal);
            int run = 0;
            for (int i = 0; i < cap && first.Count < declared.Count; i++)
            {
                var s = generate(seed, i, size);
                run++;
                foreach (var k in keys(s))
                    if (declared.Contains(k)) first.TryAdd(k, (i + 1, s));
            }
            var hits = new SortedDictionary<string, KeyHit>(StringComparer.Ordinal);
            foreach (var k in v.ExpectedViolations)
            {
                if (!first.TryGetValue(k, out var f)) { hits[k] = new KeyHit(null); continue; }
                if (!shrink) { hits[k] = new KeyHit(f.Traces); continue; }
                var (a0, p0) = measure(f.Script);
                var small = minimise(f.Script, k);
                var (a1, p1) = measure(small);
                hits[k] = new KeyHit(f.Traces, a1, p1, a0, p0, small!.ToString());
            }
            return new SeedRun(seed, hits, run);
        }

        public IReadOnlySet<string> CorpusKeys() =>
            corpus.SelectMany(keys).Where(v.ExpectedViolations.Contains).ToHashSet(StringComparer.Ordinal);

        public IReadOnlySet<string> KeysOfTrace(ulong seed, int i, int size) => keys(generate(seed, i, size)).ToHashSet(StringComparer.Ordinal);
    }
}
