namespace Kvmspec.Model.Exploration.Exhaustive;

/// <summary>The visited set: an open-addressing hash table of 128-bit fingerprints, 16 bytes a slot,
/// kept at most three quarters full (so 21 to 43 bytes of table per stored state), linear probing.</summary>
/// <remarks>Reads (<see cref="Contains"/>) may run on many threads at once while nothing writes;
/// <see cref="Add"/> runs on one thread between the parallel phases of a BFS level.</remarks>
public sealed class FingerprintSet
{
    private ulong[] lo, hi;
    private int mask;

    public FingerprintSet(int capacity = 1 << 12)
    {
        int c = 1 << Math.Max(4, (int)Math.Ceiling(Math.Log2(Math.Max(16, capacity))));
        lo = new ulong[c];
        hi = new ulong[c];
        mask = c - 1;
    }

    public int Count { get; private set; }

    /// <summary>The table's size in bytes.</summary>
    public long Bytes => 16L * lo.Length;

    public bool Contains(Fingerprint f)
    {
        for (int i = (int)f.Lo & mask; ; i = (i + 1) & mask)
        {
            if (lo[i] == f.Lo && hi[i] == f.Hi) return true;
            if (lo[i] == 0 && hi[i] == 0) return false;
        }
    }

    /// <summary>Adds <paramref name="f"/>; false if it was already there.</summary>
    public bool Add(Fingerprint f)
    {
        if (4 * (Count + 1) > 3 * lo.Length) Grow();
        for (int i = (int)f.Lo & mask; ; i = (i + 1) & mask)
        {
            if (lo[i] == f.Lo && hi[i] == f.Hi) return false;
            if (lo[i] == 0 && hi[i] == 0)
            {
                lo[i] = f.Lo;
                hi[i] = f.Hi;
                Count++;
                return true;
            }
        }
    }

    private void Grow()
    {
        var (ol, oh) = (lo, hi);
        lo = new ulong[ol.Length * 2];
        hi = new ulong[ol.Length * 2];
        mask = lo.Length - 1;
        for (int j = 0; j < ol.Length; j++)
        {
            if (ol[j] == 0 && oh[j] == 0) continue;
            int i = (int)ol[j] & mask;
            while (lo[i] != 0 || hi[i] != 0) i = (i + 1) & mask;
            lo[i] = ol[j];
            hi[i] = oh[j];
        }
    }
}
