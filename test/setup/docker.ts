/** Whether a Docker engine answers (for the Testcontainers fallback of the global setups). */
export async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    let timer: NodeJS.Timeout | undefined;
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), 15_000);
      }),
    ]).finally(() => clearTimeout(timer));
    return Boolean(client);
  } catch {
    return false;
  }
}
