namespace Kvmspec.Model.Exploration;

/// <summary>SplitMix64: a small, fast, seedable generator, so that a seed names a trace forever
/// (System.Random's sequence is not promised across .NET versions).</summary>
public sealed class Rng(ulong seed)
{
    private ulong _s = seed;

    public ulong Next()
    {
        ulong z = _s += 0x9E3779B97F4A7C15UL;
        z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ z >> 27) * 0x94D049BB133111EBUL;
        return z ^ z >> 31;
    }

    /// <summary>A number in [0, n).</summary>
    public int Below(int n) => (int)(Next() % (ulong)n);

    public bool Chance(int percent) => Below(100) < percent;

    public T Pick<T>(IReadOnlyList<(int Weight, T Value)> weighted)
    {
        int total = weighted.Sum(w => w.Weight), r = Below(total);
        foreach (var (w, v) in weighted)
        {
            if (r < w) return v;
            r -= w;
        }
        return weighted[^1].Value;
    }
}
