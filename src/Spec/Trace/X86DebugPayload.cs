using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Trace;

/// <summary>KVM_EXIT_DEBUG on x86: struct kvm_debug_exit_arch {exception, pad, pc, dr6, dr7}.</summary>
/// <remarks>arch/x86/include/uapi/asm/kvm.h; vmx.c handle_exception_nmi() (dr6 = exit qualification
/// | DR6_ACTIVE_LOW, pc = CS.base + RIP, dr7 = GUEST_DR7); x86.c kvm_vcpu_do_singlestep()
/// (dr6 = DR6_BS | DR6_ACTIVE_LOW, pc = the linear RIP after the instruction).</remarks>
public sealed record X86DebugPayload(uint Exception, ulong Pc, ulong Dr6, ulong Dr7) : ExitPayload
{
    public bool IsStep => Exception == X86Program.DbVector && X86.Dr6.Bs(Dr6);
    public override string Describe() => $"exception={(Exception == 1 ? "DB" : Exception == 3 ? "BP" : Exception.ToString())} dr6={X86.Dr6.Describe(Dr6)} dr7=0x{Dr7:X}";
}
