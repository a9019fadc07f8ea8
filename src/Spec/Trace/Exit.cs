using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Observation: KVM_RUN returned with this exit reason (0, or -EINTR with KVM_EXIT_INTR).
/// <see cref="Pc"/> is the PC userspace reads right after the return, when the trace has it.</summary>
public sealed record Exit(KvmExitReason Reason, ulong? Pc, ExitPayload? Payload = null) : TraceEvent
{
    public override Lane Lane => Lane.Kvm;
    public override EventRole Role => EventRole.Observation;
    public override string Verb => "exit";
    public override string Describe() =>
        $"{Reason}{(Payload is null ? "" : " " + Payload.Describe())}{(Pc is { } pc ? $" pc=0x{pc:X}" : "")}";
}
