namespace Kvmspec.Spec.Trace;

/// <summary>Input: the VMM calls KVM_RUN, with kvm_run.immediate_exit as given.</summary>
public sealed record Run(bool ImmediateExit = false) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "run";
    public override string Describe() => ImmediateExit ? "KVM_RUN (immediate_exit=1)" : "KVM_RUN";
}
