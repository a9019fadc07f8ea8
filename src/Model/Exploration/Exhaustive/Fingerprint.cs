using System.Numerics;
using System.Runtime.CompilerServices;

namespace Kvmspec.Model.Exploration.Exhaustive;

/// <summary>A 128-bit fingerprint of a packed state: what the visited set stores (hash compaction,
/// as SPIN's -DHC and TLC's fingerprints do). Two distinct states share a fingerprint with
/// probability about 2^-128 per pair, so over n stored states a state is wrongly taken as visited
/// with probability at most n²/2^129 (below 10^-26 for 10^6 states). Never both halves zero: zero
/// marks an empty slot.</summary>
public readonly record struct Fingerprint(ulong Lo, ulong Hi)
{
    public override string ToString() => $"{Hi:x16}{Lo:x16}";
}

/// <summary>Packs a state's fields one word at a time into two independent 64-bit hash lanes and
/// counts the packed bytes (the size the state would take written out field by field).</summary>
/// <remarks>The lanes use different multipliers and rotations (xxHash64's primes and a
/// splitmix64 finaliser), so their collisions are independent in practice.</remarks>
public struct Packer
{
    private const ulong P1 = 0x9E3779B185EBCA87UL, P2 = 0xC2B2AE3D27D4EB4FUL, P3 = 0x165667B19E3779F9UL, P4 = 0x85EBCA77C2B2AE63UL;
    private ulong a, b;
    private int bytes;

    /// <summary>A packer seeded with <paramref name="seed"/> (for example the variant's identity).</summary>
    public Packer(ulong seed)
    {
        a = seed ^ P3;
        b = ~seed ^ P4;
        bytes = 0;
    }

    /// <summary>The number of bytes written so far (varint size of each word).</summary>
    public readonly int Bytes => bytes;

    /// <summary>Adds one word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ulong v)
    {
        a = BitOperations.RotateLeft(a ^ (v * P2), 31) * P1;
        b = BitOperations.RotateLeft(b + (v ^ P4), 27) * P3 + P4;
        bytes += v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : (BitOperations.Log2(v) + 7) / 7;
    }

    /// <summary>Adds a boolean (one bit of a packed flags word).</summary>
    public void Add(bool v) => Add(v ? 1UL : 0UL);

    /// <summary>The fingerprint of what was added.</summary>
    public readonly Fingerprint Finish()
    {
        ulong lo = Mix(a ^ (ulong)bytes), hi = Mix(b + P1);
        if (lo == 0 && hi == 0) hi = 1;
        return new Fingerprint(lo, hi);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
