namespace Kvmspec.Model.Exploration.Exhaustive;

/// <summary>The bounds of one check: the exhaustive part (program length, depth, state cap, threads)
/// and the random probe beyond it (traces per variant, actions per script, seed).</summary>
public sealed record CheckBounds(int ProgramLength, int Depth, int MaxStates, int Threads, int Traces, int RandomSize, ulong Seed)
{
    /// <summary>No exhaustive part (program length 0): random traces only.</summary>
    public bool Exhaustive => ProgramLength > 0 && Depth > 0;
}

/// <summary>One variant's check: the exhaustive search to the bound, then random traces beyond it.
/// A key found by both keeps the BFS-minimal counterexample.</summary>
public static class CheckRun
{
    /// <summary>The random report with the exhaustive one's findings merged in.</summary>
    public static VariantReport Merge(VariantReport random, ExhaustiveReport ex)
    {
        var found = new SortedDictionary<string, ICounterexample>(StringComparer.Ordinal);
        foreach (var (k, c) in random.Found) found[k] = c;
        foreach (var (k, c) in ex.Found) found[k] = c;
        var unhandled = random.Unhandled.Concat(ex.Unhandled).Distinct().ToList();
        return random with { Found = found, Unhandled = unhandled, Elapsed = random.Elapsed + ex.Search.Elapsed, Exhaustive = ex };
    }

    /// <summary>Checks <paramref name="vs"/>: random traces for all variants in parallel, then each
    /// variant's exhaustive search in turn, each on <see cref="CheckBounds.Threads"/> threads.</summary>
    public static IReadOnlyList<VariantReport> All(IReadOnlyList<IVariant> vs, CheckBounds b, Func<IVariant, int, int, ulong, VariantReport> random)
    {
        var reports = new VariantReport[vs.Count];
        Parallel.For(0, vs.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, b.Threads) }, i => reports[i] = random(vs[i], b.Traces, b.RandomSize, b.Seed));
        if (!b.Exhaustive) return reports;
        for (int i = 0; i < vs.Count; i++)
            reports[i] = Merge(reports[i], ExhaustiveExplorer.Explore(vs[i], b.ProgramLength, new Bound(b.Depth, b.MaxStates, b.Threads)));
        return reports;
    }
}
