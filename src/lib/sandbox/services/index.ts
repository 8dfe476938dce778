/**
 * Every API emulation mounted on the sandbox host, in matching order. A new service adds
 * one line here and a folder or file (with its SPEC.md) beside this one.
 */
import type {ServiceFactory} from '../types.js'
import {auth0Service} from './auth0/index.js'
import {cloudflareService} from './cloudflare/index.js'
import {cloudwatchService} from './cloudwatch/index.js'
import {edgeService} from './edge/index.js'
import {firestoreService} from './firestore/index.js'
import {gcsService} from './gcs/index.js'
import {githubService} from './github/index.js'
import {googleService} from './google/index.js'
import {iamService} from './iam/index.js'
import {lambdaService} from './lambda/index.js'
import {logsService} from './logs/index.js'
import {rdsService} from './rds/index.js'
import {rtdbService} from './rtdb/index.js'
import {s3Service} from './s3/index.js'
import {secretsManagerService} from './secretsmanager.js'
import {sinksService} from './sinks/index.js'
import {snsService} from './sns/index.js'
import {stsService} from './sts.js'
import {vercelService} from './vercel/index.js'

export const serviceFactories: ServiceFactory[] = [stsService, secretsManagerService, sinksService, lambdaService, iamService, githubService, cloudflareService, googleService, rdsService, cloudwatchService, auth0Service, s3Service, firestoreService, gcsService, edgeService, logsService, snsService, vercelService,
  // The Realtime Database matches any unsigned path ending in .json: keep it last.
  rtdbService]
