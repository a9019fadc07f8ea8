namespace Kvmspec.Spec.X86;

/// <summary>The x86 guest instructions the model executes, by what matters to debugging.</summary>
/// <remarks>
/// <c>Nop</c> stands for any ordinary instruction the CPU executes natively. <c>Cpuid</c> and
/// <c>Wrmsr</c> (to IA32_TSC_DEADLINE, KVM's fast path) are always intercepted and emulated by
/// KVM; <c>Hlt</c> is intercepted (HLT exiting); <c>Out</c>/<c>In</c> are port I/O that KVM sends to the
/// VMM (KVM_EXIT_IO); <c>MmioLoad</c> is a load from an unmapped GPA that KVM's instruction emulator
/// decodes and sends to the VMM (KVM_EXIT_MMIO); <c>MovFromDr</c> reads DR0 (intercepted: MOV-DR
/// exiting); <c>Store</c> writes the data variable a data breakpoint can watch. <c>Sysret</c> only
/// appears as the model's syscall handler. For the exit/re-entry protocol selftests
/// (sync_regs_test.c, userspace_io_test.c): <c>AddRbx</c> is <c>add $1,%rbx</c>, <c>Jmp</c> jumps
/// to <see cref="X86Instruction.Imm"/>, <c>MovRcx</c>/<c>MovRdi</c> load
/// <see cref="X86Instruction.Imm"/> into RCX/RDI (the count and the buffer of a string
/// instruction), and <c>RepInsb</c> is <c>rep insb</c> (DF=0): string port input of RCX bytes to
/// [RDI], which KVM's instruction emulator runs in batches (I/O exiting, then
/// x86.c handle_io() → kvm_emulate_instruction()).
/// </remarks>
public enum X86InstructionKind
{
    Nop,
    Pushf,
    Popf,
    Sti,
    Cli,
    MovSs,
    Hlt,
    Int3,
    Icebp,
    Syscall,
    Sysret,
    Iret,
    Out,
    In,
    Cpuid,
    Wrmsr,
    MmioLoad,
    MovFromDr,
    Store,
    AddRbx,
    Jmp,
    MovRcx,
    MovRdi,
    RepInsb,
}
