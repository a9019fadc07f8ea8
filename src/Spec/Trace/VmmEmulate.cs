namespace Kvmspec.Spec.Trace;

/// <summary>Input: after KVM_EXIT_ARM_NISV the VMM emulates the access itself, including the
/// register writeback and the PC advance (through KVM_SET_ONE_REG).</summary>
/// <remarks>api.rst "KVM_EXIT_ARM_NISV": KVM does not skip the instruction; userspace must emulate
/// it fully or inject an abort.</remarks>
public sealed record VmmEmulate : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "vmm_emulate";
    public override string Describe() => "VMM emulates the no-ISV access (Rt, pc += 4)";
}
