namespace Kvmspec.Spec.Trace;

/// <summary>Input (x86): after KVM_EXIT_IO for an IN, the VMM writes the data into the kvm_run data
/// area; the IN completes on the next KVM_RUN.</summary>
public sealed record CompleteIo(ulong Data) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "complete_io";
    public override string Describe() => $"io data = 0x{Data:X}";
}
