using Kvmspec.Cli;

return KvmspecCommand.Run(args, Console.Out, Console.Error);
