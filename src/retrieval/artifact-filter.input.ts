import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, ValidateBy } from 'class-validator';
import { isUsableId } from '../suki/vendor-id';
import { ArtifactKind } from '../generated/prisma/enums';
import { IsInstantParam } from '../api/page.input';

const KINDS = Object.values(ArtifactKind);

/**
 * An id filter named `name`. `given` says what a non-string means where it comes from: a
 * repeated query parameter, or a body field of another type.
 */
function IsIdFilter(name: string, given: string): PropertyDecorator {
  // Listed in the order they are applied and checked (the reverse of stacking them): most basic first.
  return applyDecorators(
    IsString({ message: `${name} ${given}` }),
    Length(1, 255, { message: `${name} must be 1 to 255 characters` }),
    // The rule intake applies (src/suki/vendor-id.ts): an id it would refuse matches nothing.
    ValidateBy(
      { name: 'isUsableId', validator: { validate: isUsableId } },
      { message: `${name} must not contain control characters, format characters or line separators` },
    ),
    IsOptional(),
  );
}

/** The filters the dead-letter list and the retry share (docs/api.md, Dead letters); each narrows. */
export function artifactFilterInput(given: string) {
  class ArtifactFilterInput {
    @ApiPropertyOptional({ enum: ArtifactKind, enumName: 'ArtifactKind', description: 'Only artifacts of this kind.' })
    @IsOptional()
    @IsIn(KINDS, { message: `kind must be one of: ${KINDS.join(', ')}` })
    kind?: ArtifactKind;

    @ApiPropertyOptional({ description: 'Only the artifacts of this session (session-level kinds).' })
    @IsIdFilter('sessionId', given)
    sessionId?: string;

    @ApiPropertyOptional({ description: 'Only the artifacts of this encounter (its sessions’ and its own).' })
    @IsIdFilter('encounterId', given)
    encounterId?: string;

    @ApiPropertyOptional({
      type: String,
      format: 'date-time',
      description: 'Only artifacts last updated at or after this instant (ISO-8601 with a zone, or a date meaning its UTC midnight).',
      example: '2026-11-27T00:00:00Z',
    })
    @IsInstantParam('updatedSince')
    updatedSince?: string;

    @ApiPropertyOptional({
      type: String,
      format: 'date-time',
      description: 'Only artifacts last updated before this instant (ISO-8601 with a zone, or a date meaning its UTC midnight).',
      example: '2026-11-28T00:00:00Z',
    })
    @IsInstantParam('updatedBefore')
    updatedBefore?: string;
  }
  return ArtifactFilterInput;
}
