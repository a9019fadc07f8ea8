using Kvmspec.Model.Arm64;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Oracle;

/// <summary>The oracle: judges a recorded trace, whatever produced it, against every invariant and,
/// given a variant, replays its inputs through that variant in lockstep.</summary>
/// <remarks>
/// One streaming pass reads, judges and replays; memory does not grow with the trace. A trace whose
/// first migration comes from another known release is replayed from that release (a second pass),
/// and, as in <c>kvmspec check</c>, its part before that migration is the source's behaviour: the
/// variant under check declares nothing about it. A violation the variant declares is reported as a
/// declared deviation and does not fail the trace; without a variant every violation fails it.
/// Bad input surfaces as <see cref="TraceFormatException"/>. The header's <c>arch</c> picks the catalogue
/// (<see cref="Arm64Invariants"/> or <see cref="X86Invariants"/>); the replay runs the arm64 model only, so
/// an x86 trace with a variant is bad input (an x86 trace carries no program the x86 model could run).
/// </remarks>
public static class Conformance
{
    /// <summary>Judges the trace <paramref name="open"/> returns (called once, or twice for a cross-release replay).</summary>
    public static ConformReport Check(Func<Stream> open, string file, Variant? variant)
    {
        string? source = null;
        var (header, verdicts, events, replay, whyNot, firstForeign) = Pass(open, file, variant, null, s => source ??= s);
        if (variant is not null && replay is not null && source is not null && source != variant.Id && Arm64Variants.Find(source) is { } src)
        {
            var second = Pass(open, file, variant, src, _ => { });
            replay = second.Replay;
            whyNot = second.WhyNot;
        }
        return new ConformReport(file, header, verdicts, events, variant, replay?.Diverged, whyNot,
            variant is not null && source is not null && source != variant.Id ? firstForeign : null);
    }

    /// <summary>The invariants that judge a trace with <paramref name="h"/>: the catalogue of its architecture.</summary>
    public static IReadOnlyList<Invariant> CatalogueOf(TraceHeader h) => h.Arch == TraceReader.X86 ? X86Invariants.All : Arm64Invariants.All;

    private static (TraceHeader Header, IReadOnlyList<Verdict> Verdicts, long Events, Replay? Replay, string? WhyNot, int? FirstForeign)
        Pass(Func<Stream> open, string file, Variant? variant, Variant? start, Action<string> migrationSource)
    {
        using var stream = open();
        var reader = new TraceReader(stream, file);
        if (variant is not null && reader.Header.Arch != TraceReader.Arm64)
            throw new TraceFormatException(file, 1, "arch", $"replay (--variant {variant.Id}) runs the arm64 model only; judge this {reader.Header.Arch} trace without --variant");
        var checker = new TraceChecker(reader.Header, CatalogueOf(reader.Header));
        string? whyNot = null;
        var replay = variant is null ? null : Replay.Start(variant, reader.Header, out whyNot, start);
        long n = 0;
        int? firstForeign = null;
        foreach (var (i, e) in reader.Events())
        {
            checker.Observe(i, e);
            replay?.Feed(i, e);
            if (e is Migrate m)
            {
                if (firstForeign is null && variant is not null && Exploration.Judge.EndsSourcePart(m, variant.Id)) firstForeign = i;
                migrationSource(m.Source);
            }
            n++;
        }
        replay?.Finish((int)n);
        return (reader.Header, checker.Finish(), n, replay, whyNot, firstForeign);
    }
}

/// <summary>What <see cref="Conformance.Check"/> found.</summary>
/// <remarks><c>SourcePartEnds</c>: in a cross-release trace, the index of the first migration from another
/// release; violations before it are the source release's.</remarks>
public sealed record ConformReport(
    string File,
    TraceHeader Header,
    IReadOnlyList<Verdict> Verdicts,
    long Events,
    Variant? Variant,
    Divergence? Divergence,
    string? ReplayNotPossible,
    int? SourcePartEnds)
{
    /// <summary>Whether <paramref name="v"/> is excused: the variant declares it, or it happened on the source release.</summary>
    public bool Excused(Violation v) =>
        Variant is { } var && (var.ExpectedViolations.Contains(v.Key) || (SourcePartEnds is { } end && v.EventIndex < end));

    /// <summary>Whether a violation is not excused. Violations beyond those a verdict keeps come after them
    /// on the same paths: they are excused only if their keys are declared.</summary>
    public bool HasFailingViolation => Verdicts.Any(vd => vd.Violations.Any(v => !Excused(v))
        || (vd.Total > vd.Violations.Count && vd.Violations.Any(v => Variant?.ExpectedViolations.Contains(v.Key) != true)));

    /// <summary>Conforming: no violation that is not excused, and no divergence from the variant.</summary>
    public bool Conforms => !HasFailingViolation && Divergence is null;
}
