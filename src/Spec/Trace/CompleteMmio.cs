namespace Kvmspec.Spec.Trace;

/// <summary>Input: after KVM_EXIT_MMIO for a load, the VMM writes the data into kvm_run.mmio.data.
/// The access completes on the next KVM_RUN.</summary>
public sealed record CompleteMmio(ulong Data) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "complete_mmio";
    public override string Describe() => $"mmio.data = 0x{Data:X}";
}
