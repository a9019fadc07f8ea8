namespace Kvmspec.Spec.X86;

/// <summary>One x86 guest instruction: its kind, the RFLAGS image it loads (POPF, and IRET when no
/// frame of the model's own is on the stack), and whether it carries KVM's forced-emulation prefix
/// (kvm.force_emulation_prefix: <c>ud2; .ascii "kvm"</c>, so that KVM's instruction emulator runs it).</summary>
public sealed record X86Instruction(X86InstructionKind Kind, ulong Image = Rflags.Fixed | Rflags.IF, bool Forced = false)
{
    /// <summary>The I/O port of IN, OUT and REP INSB (DX in the guest code): 0x80 unless given (the
    /// selftests' ucall port is 0x1000).</summary>
    public ushort Port { get; init; } = DefaultPort;

    /// <summary>The immediate of MOV to RCX/RDI, the target of JMP.</summary>
    public ulong Imm { get; init; }

    /// <summary>The port the model's port I/O uses unless an instruction names another (port 0x80,
    /// userspace_io_test.c's).</summary>
    public const ushort DefaultPort = 0x80;

    /// <summary>The encoded length in bytes (the forced-emulation prefix adds 5).</summary>
    public int Length => (Forced ? 5 : 0) + Kind switch
    {
        X86InstructionKind.Nop or X86InstructionKind.Pushf or X86InstructionKind.Popf or X86InstructionKind.Sti
            or X86InstructionKind.Cli or X86InstructionKind.Hlt or X86InstructionKind.Int3 or X86InstructionKind.Icebp
            or X86InstructionKind.Out or X86InstructionKind.In => 1,
        X86InstructionKind.MovSs or X86InstructionKind.Syscall or X86InstructionKind.Iret or X86InstructionKind.Cpuid
            or X86InstructionKind.Wrmsr or X86InstructionKind.MmioLoad => 2,
        X86InstructionKind.Sysret or X86InstructionKind.MovFromDr => 3,
        X86InstructionKind.Store => 7,
        X86InstructionKind.AddRbx => 4,
        X86InstructionKind.Jmp or X86InstructionKind.RepInsb => 2,
        X86InstructionKind.MovRcx or X86InstructionKind.MovRdi => 5,
        _ => 1,
    };

    /// <summary>The mnemonic a trace records (the first word is what invariants classify).</summary>
    public string Mnemonic => Kind switch
    {
        X86InstructionKind.Nop => "nop",
        X86InstructionKind.Pushf => "pushf",
        X86InstructionKind.Popf => $"popf {Rflags.Describe(Image)}",
        X86InstructionKind.Sti => "sti",
        X86InstructionKind.Cli => "cli",
        X86InstructionKind.MovSs => "mov ss, ax",
        X86InstructionKind.Hlt => "hlt",
        X86InstructionKind.Int3 => "int3",
        X86InstructionKind.Icebp => "icebp",
        X86InstructionKind.Syscall => "syscall",
        X86InstructionKind.Sysret => "sysretq",
        X86InstructionKind.Iret => "iretq",
        X86InstructionKind.Out => Port == DefaultPort ? "out dx, al" : $"out dx, al (port 0x{Port:X})",
        X86InstructionKind.In => Port == DefaultPort ? "in al, dx" : $"in al, dx (port 0x{Port:X})",
        X86InstructionKind.Cpuid => "cpuid",
        X86InstructionKind.Wrmsr => "wrmsr TSC_DEADLINE",
        X86InstructionKind.MmioLoad => "mov eax, [mmio]",
        X86InstructionKind.MovFromDr => "mov rax, dr0",
        X86InstructionKind.Store => "mov [guest_value], rax",
        X86InstructionKind.AddRbx => "add rbx, 1",
        X86InstructionKind.Jmp => $"jmp 0x{Imm:X}",
        X86InstructionKind.MovRcx => $"mov ecx, 0x{Imm:X}",
        X86InstructionKind.MovRdi => $"mov edi, 0x{Imm:X}",
        X86InstructionKind.RepInsb => "rep insb",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The text a trace records: the mnemonic, and " {fep}" for forced emulation.</summary>
    public string Text => Forced ? Mnemonic + " {fep}" : Mnemonic;

    public override string ToString() => Text;
}
