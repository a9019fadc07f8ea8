using System.Runtime.CompilerServices;

namespace Kvmspec.Model.Exploration.Exhaustive;

/// <summary>The visited set: an open-addressing hash table of 128-bit fingerprints, 16 bytes a slot
/// (both halves side by side, so a probe touches one cache line), kept at most 5/8 full (so at most
/// 16 / (5/16) = 51.2 bytes of table per stored state, right after a doubling), linear probing.</summary>
/// <remarks>Reads (<see cref="Contains"/>) may run on many threads at once while nothing writes;
/// <see cref="Add"/> runs on one thread (<see cref="Bfs"/>'s merge); <c>Peek</c> may run on other
/// threads meanwhile.</remarks>
public sealed class FingerprintSet
{
    // slots[2i] = Lo, slots[2i + 1] = Hi; (0, 0) marks an empty slot (a Fingerprint never is).
    private ulong[] slots;
    private int mask, limit;

    public FingerprintSet(int capacity = 1 << 12)
    {
        int c = 1 << Math.Max(4, (int)Math.Ceiling(Math.Log2(Math.Max(16, capacity))));
        slots = new ulong[2 * c];
        mask = c - 1;
        limit = Limit(c);
    }

    private static int Limit(int c) => (int)Math.Min(int.MaxValue, 5L * c / 8);

    public int Count { get; private set; }

    /// <summary>The table's size in bytes.</summary>
    public long Bytes => 8L * slots.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(Fingerprint f)
    {
        var t = slots;
        int m = mask;
        for (int i = (int)f.Lo & m; ; i = (i + 1) & m)
        {
            ulong lo = t[2 * i], hi = t[2 * i + 1];
            if (lo == f.Lo && hi == f.Hi) return true;
            if ((lo | hi) == 0) return false;
        }
    }

    /// <summary>The first word of <paramref name="f"/>'s home slot: a load whose only purpose is to
    /// bring the slot into the cache before <see cref="Add"/> (several can be in flight at once).
    /// Safe while another thread adds: it reads one table (old or new) and derives the mask from it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe ulong Peek(Fingerprint f)
    {
        var t = slots;
        ref ulong slot = ref t[2 * ((int)f.Lo & (t.Length / 2 - 1))];
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref slot));
            return 0;
        }
        return slot;
    }

    /// <summary>Adds <paramref name="f"/>; false if it was already there.</summary>
    public bool Add(Fingerprint f)
    {
        if (Count + 1 > limit) Grow();
        var t = slots;
        int m = mask;
        for (int i = (int)f.Lo & m; ; i = (i + 1) & m)
        {
            ulong lo = t[2 * i], hi = t[2 * i + 1];
            if (lo == f.Lo && hi == f.Hi) return false;
            if ((lo | hi) == 0)
            {
                t[2 * i] = f.Lo;
                t[2 * i + 1] = f.Hi;
                Count++;
                return true;
            }
        }
    }

    private void Grow()
    {
        var old = slots;
        int c = old.Length; // twice the old slot count
        var t = new ulong[2 * c];
        int m = c - 1;
        for (int j = 0; j < old.Length; j += 2)
        {
            ulong lo = old[j], hi = old[j + 1];
            if ((lo | hi) == 0) continue;
            int i = (int)lo & m;
            while ((t[2 * i] | t[2 * i + 1]) != 0) i = (i + 1) & m;
            t[2 * i] = lo;
            t[2 * i + 1] = hi;
        }
        slots = t;
        mask = m;
        limit = Limit(c);
    }
}
