import { Controller, Get, NotFoundException, Param, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleAccess, ConsoleExceptionFilter, ConsoleGuard } from './console.guard';

interface Asset {
  type: string;
  body: Buffer;
}

/**
 * The console's only scripts and styles, served by the service itself (no other origin, no build
 * step): htmx from its installed package, and the console's own stylesheet and script. Read once.
 */
function loadAssets(): Map<string, Asset> {
  const own = (file: string) => readFileSync(join(__dirname, 'assets', file));
  return new Map<string, Asset>([
    ['htmx.min.js', { type: 'text/javascript', body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js')) }],
    ['console.js', { type: 'text/javascript', body: own('console.js') }],
    ['console.css', { type: 'text/css', body: own('console.css') }],
  ]);
}

@ApiExcludeController()
@UseGuards(ConsoleGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('console/assets')
export class ConsoleAssetsController {
  private readonly assets = loadAssets();

  @Get(':file')
  @ConsoleAccess('public')
  asset(@Param('file') file: string, @Res() response: Response): void {
    const asset = this.assets.get(file);
    if (!asset) throw new NotFoundException('No such file.');
    response.type(asset.type).send(asset.body);
  }
}
