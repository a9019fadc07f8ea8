using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Trace;

/// <summary>Input (x86): the VMM writes the vCPU's registers with KVM_SET_REGS (RIP, RFLAGS, RBX).</summary>
public sealed record SetRegs(ulong Rip, ulong Rflags, ulong Rbx = 0) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "set_regs";
    public override string Describe() => $"KVM_SET_REGS(rip=0x{Rip:X}, rflags={X86.Rflags.Describe(Rflags)}, rbx=0x{Rbx:X})";
}
