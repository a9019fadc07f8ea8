using Kvmspec.Spec.Arm64;

namespace Kvmspec.Spec.Trace;

/// <summary>Observation: an exception is delivered to the guest's EL1: the vector it enters, the
/// syndrome written to ESR_EL1 (null for interrupts), and the ELR_EL1 and SPSR_EL1 saved.</summary>
public sealed record ExceptionTaken(ulong Vector, ESR_ELx? Esr, ulong Elr, PSTATE Spsr) : TraceEvent
{
    public override Lane Lane => Lane.Guest;
    public override EventRole Role => EventRole.Observation;
    public override string Verb => "exception";
    public override string Describe() =>
        $"exception -> vector 0x{Vector:X} {(Esr is { } e ? e.EC.ToString() : KindOf(Vector))} ELR_EL1=0x{Elr:X} SPSR_EL1={Spsr}";

    private static string KindOf(ulong vector) => (vector - GuestProgram.Vbar) switch
    {
        VectorOffset.CurrentSpxIrq => "IRQ",
        VectorOffset.CurrentSpxSError => "SError",
        _ => "?",
    };

    /// <summary>Whether this is a synchronous data abort (the access at ELR_EL1 did not complete).</summary>
    public bool IsDataAbort => Esr is { EC: ExceptionClass.DABT_CUR or ExceptionClass.DABT_LOW };
}
