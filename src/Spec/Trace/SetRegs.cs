using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Trace;

/// <summary>Input (x86): the VMM writes the vCPU's registers with KVM_SET_REGS (RIP, RFLAGS, RBX,
/// and RCX/RDI when the trace records them: null means the value KVM_GET_REGS returned, written
/// back unchanged).</summary>
public sealed record SetRegs(ulong Rip, ulong Rflags, ulong Rbx = 0, ulong? Rcx = null, ulong? Rdi = null) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "set_regs";
    public override string Describe() =>
        $"KVM_SET_REGS(rip=0x{Rip:X}, rflags={X86.Rflags.Describe(Rflags)}, rbx=0x{Rbx:X}{(Rcx is { } c ? $", rcx=0x{c:X}" : "")}{(Rdi is { } d ? $", rdi=0x{d:X}" : "")})";
}
